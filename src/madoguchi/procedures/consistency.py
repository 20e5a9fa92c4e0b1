"""A definition's hand-written texts may not contradict its own facts.

Run by ``madoguchi catalog check`` (so by ``make lint``) and on every catalog load, as one of
the registered definition checks. It refuses:

* a required document (必要なもの) that no file field collects and that gives no reason;
* a required document collected by a file field and named as needed only without a signature
  (「（マイナンバーカードで電子署名しない場合）」, "if you do not sign") whose field
  ``unsigned_requires`` does not name, or a field ``unsigned_requires`` names that no required
  document states that way in every language;
* a text that states the processing period (a day count in a sentence about the result)
  with another number or unit than ``processing_period_days`` / ``processing_period_unit``;
* a text that calls the electronic signature required when ``signature`` is not ``required``,
  optional when it is, or mentions one when the procedure takes none;
* a text that states a number of steps other than the form's step bar shows.

The rules read sentences, not meaning: they catch the contradictions a municipality's editor
makes when a fact changes in one place only, and the message names the file line and the fact
to write instead. docs/catalog.md lists the patterns.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from madoguchi.procedures.definition import DefinitionProblem
from madoguchi.procedures.wording import CALENDAR_DAYS, form_step_count, processing_period, signature_requirement

_SENTENCE_END = re.compile(r"(?<=[。！？!?])|(?<=\.)\s+")

# A day count: 「30日以内」「3開庁日」「14 business days」.
# Not a date (「4月1日」) nor a day relative to another (「7日後」「14日前」「3日目」).
_DAYS_JA = re.compile(r"(?<![月\d])(\d+)\s*(開庁日|営業日|日)(?!後|前|目)")
_DAYS_EN = re.compile(r"(\d+)\s+(business |working |calendar )?days?\b", re.IGNORECASE)
# Words that make a day count the processing period: the result, the decision, issuing.
_OUTCOME_JA = re.compile(r"結果|お知らせします|通知します|処理期間|交付します|発行します|許可|決定")
_OUTCOME_EN = re.compile(
    r"\b(result|decision|decided|processing|we will (notify|tell|send|issue)|takes|is (normally )?sent|are sent"
    r"|is issued|are issued|permit)\b",
    re.IGNORECASE,
)

_SIGNATURE_REQUIRED = (
    re.compile(r"署名[^。、]{0,12}?(が|は)?(必要|必須)"),
    re.compile(r"\bsignature\b[^.]{0,40}?\b(is |are )?(required|needed|mandatory)\b", re.IGNORECASE),
    re.compile(r"\b(must|need to|have to) sign\b", re.IGNORECASE),
)
_SIGNATURE_OPTIONAL = (
    re.compile(r"署名[^。、]{0,12}?(は)?(任意|不要|なくても)"),
    re.compile(r"\bsignature\b[^.]{0,30}?\b(optional|not required|not needed)\b", re.IGNORECASE),
    re.compile(r"\b(may|can) (also )?sign\b", re.IGNORECASE),
)
# A required document needed only when the application is not signed (unsigned_requires).
_UNSIGNED_ONLY = (
    re.compile(r"署名を?しない(場合|とき|方)"),
    re.compile(r"\b(if|when) you (do not|don't) sign\b|\bunless (you sign|it is signed|the application is signed)\b", re.IGNORECASE),
)
_SIGNATURE_MENTION = re.compile(r"電子署名|electronic signature", re.IGNORECASE)

_STEP_COUNT = (
    re.compile(r"全\s*(\d+)\s*ステップ"),
    re.compile(r"(\d+)\s*(?:つの)?ステップ"),
    re.compile(r"\b(\d+)\s+steps\b", re.IGNORECASE),
    re.compile(r"\bstep \d+ of (\d+)\b", re.IGNORECASE),
)


def definition_texts(definition: dict) -> Iterator[tuple[list, str]]:
    """Yield ``(path, text)`` for every translated text a resident reads (path ends in the language)."""

    def texts(value: dict | None, path: list) -> Iterator[tuple[list, str]]:
        for language, text in (value or {}).items():
            yield [*path, language], text

    for key in ("title", "summary", "eligibility"):
        yield from texts(definition.get(key), [key])
    for key in ("unit", "note"):
        yield from texts(definition.get("fee", {}).get(key), ["fee", key])
    for index, document in enumerate(definition.get("required_documents", [])):
        yield from texts(document.get("name"), ["required_documents", index, "name"])
        yield from texts(document.get("reason"), ["required_documents", index, "reason"])
    for s_index, step in enumerate(definition["steps"]):
        for key in ("title", "description"):
            yield from texts(step.get(key), ["steps", s_index, key])
        for f_index, field in enumerate(step["fields"]):
            path = ["steps", s_index, "fields", f_index]
            for key in ("label", "help", "consent_text"):
                yield from texts(field.get(key), [*path, key])
            for c_index, choice in enumerate(field.get("choices", [])):
                yield from texts(choice["label"], [*path, "choices", c_index, "label"])


def _sentences(text: str) -> list[str]:
    return [part for part in _SENTENCE_END.split(text) if part and part.strip()]


def _where(path: list) -> str:
    return "/".join(str(p) for p in path)


def check_documents(definition: dict) -> None:
    file_fields = {
        field["id"] for step in definition["steps"] for field in step["fields"] if field["type"] == "file"
    }
    for index, document in enumerate(definition.get("required_documents", [])):
        name = document.get("name", {}).get("ja", "")
        path = ["required_documents", index]
        upload = document.get("upload")
        if upload is None and not document.get("reason"):
            raise DefinitionProblem(
                f"必要なもの '{name}' has no upload field: name the file field that collects it "
                "('upload: FIELD_ID') or say why the form does not ('reason: {ja: 窓口で提示してください, en: …}')",
                path=path,
            )
        if upload is not None and upload not in file_fields:
            raise DefinitionProblem(
                f"必要なもの '{name}': upload '{upload}' is not a file field of this form "
                f"(file fields: {', '.join(sorted(file_fields)) or 'none'})",
                path=[*path, "upload"],
            )
    check_unsigned_documents(definition)


def _says_unsigned_only(text: str) -> bool:
    return any(pattern.search(text) for pattern in _UNSIGNED_ONLY)


def check_unsigned_documents(definition: dict) -> None:
    """A document needed only without a signature and ``unsigned_requires`` name the same fields."""
    rule = set(definition.get("unsigned_requires") or [])
    stated: set[str] = set()
    for index, document in enumerate(definition.get("required_documents", [])):
        upload = document.get("upload")
        names = document.get("name", {})
        if upload is None or not any(_says_unsigned_only(text) for text in names.values()):
            continue
        path = ["required_documents", index, "name"]
        unstated = [language for language, text in names.items() if not _says_unsigned_only(text)]
        if unstated:
            raise DefinitionProblem(
                f"必要なもの '{names.get('ja', '')}' is needed only without a signature in one language but not in "
                f"{', '.join(unstated)}: say it in every language (“if you do not sign with your My Number Card”)",
                path=path,
            )
        if upload not in rule:
            raise DefinitionProblem(
                f"必要なもの '{names.get('ja', '')}' is needed when the application is not signed, but "
                f"unsigned_requires does not name its upload '{upload}', so an unsigned application without it "
                f"would be accepted: add 'unsigned_requires: [{upload}]'",
                path=path,
            )
        stated.add(upload)
    for index, name in enumerate(definition.get("unsigned_requires") or []):
        if name not in stated:
            raise DefinitionProblem(
                f"unsigned_requires/{index}: '{name}' is required of an unsigned application, but no 必要なもの "
                f"with 'upload: {name}' says so: name it e.g. 「本人確認書類の写し（マイナンバーカードで電子署名しない場合）」 / "
                "“A copy of photo ID (if you do not sign with your My Number Card)”",
                path=["unsigned_requires", index],
            )


def check_period(definition: dict, path: list, text: str) -> None:
    days, unit = processing_period(definition)
    stated_unit = "開庁日" if unit != CALENDAR_DAYS else "日"
    for sentence in _sentences(text):
        japanese = bool(_OUTCOME_JA.search(sentence))
        english = bool(_OUTCOME_EN.search(sentence))
        if not (japanese or english):
            continue
        counts = [(int(n), word in ("開庁日", "営業日")) for n, word in _DAYS_JA.findall(sentence)]
        counts += [(int(n), bool(word) and word.strip().lower() in ("business", "working")) for n, word in _DAYS_EN.findall(sentence)]
        for number, business in counts:
            if number != days or business != (unit != CALENDAR_DAYS):
                raise DefinitionProblem(
                    f"{_where(path)} states a processing period that contradicts processing_period_days "
                    f"({days}{stated_unit}, {unit}): “{sentence.strip()}”",
                    path=path,
                )


def check_signature(definition: dict, path: list, text: str) -> None:
    mode = signature_requirement(definition)
    for sentence in _sentences(text):
        says_required = any(p.search(sentence) for p in _SIGNATURE_REQUIRED)
        says_optional = any(p.search(sentence) for p in _SIGNATURE_OPTIONAL)
        if mode != "required" and says_required:
            problem = f"says the signature is required, but the definition has 'signature: {mode}'"
        elif mode == "required" and says_optional:
            problem = "says the signature is optional, but the definition has 'signature: required'"
        elif mode == "none" and _SIGNATURE_MENTION.search(sentence):
            problem = "mentions an electronic signature, but the definition has 'signature: none'"
        else:
            continue
        raise DefinitionProblem(f"{_where(path)} {problem}: “{sentence.strip()}”", path=path)


def check_steps(definition: dict, path: list, text: str) -> None:
    count = form_step_count(definition)
    for pattern in _STEP_COUNT:
        for match in pattern.finditer(text):
            if int(match.group(1)) != count:
                raise DefinitionProblem(
                    f"{_where(path)} states {match.group(1)} steps, but the form has {count} "
                    f"({count - 1} steps and the confirmation page): “{match.group(0)}”",
                    path=path,
                )


def check_consistency(definition: dict) -> None:
    """The registered definition check: raise DefinitionProblem at the first contradiction."""
    check_documents(definition)
    for path, text in definition_texts(definition):
        check_period(definition, path, text)
        check_signature(definition, path, text)
        check_steps(definition, path, text)
