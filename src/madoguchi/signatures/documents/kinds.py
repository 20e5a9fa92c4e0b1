"""Which document a case gets, and its title and body text.

Three kinds exist (``IssuedDocument.kind``): on 承認 the procedure's decision document (by default
a 決定通知書; a permit procedure names it 許可書, a certificate request 交付決定通知書), on 却下 a
却下通知書, and a 受理証明書 that proves the application was received. A procedure's catalog
YAML may name them under ``documents:``::

    documents:
      approved:
        title: {ja: 道路占用許可書, en: Road occupancy permit}
        body: {ja: "{submitted}付けで申請のあった{procedure}について、次のとおり許可します。", en: ...}

The body may use ``{procedure}`` (the procedure's Japanese title), ``{submitted}`` and
``{decided}`` (dates in 和暦). The document itself is always Japanese, the official language;
the English title is what the English pages call it.
"""

from __future__ import annotations

from dataclasses import dataclass

from madoguchi.signatures.models import DocumentKind

DEFAULTS: dict[str, dict[str, dict[str, str]]] = {
    DocumentKind.APPROVED: {
        "title": {"ja": "決定通知書", "en": "Notice of decision"},
        "body": {
            "ja": "{submitted}付けで申請のあった{procedure}について、次のとおり決定したので通知します。",
            "en": "The municipality decided on your application as follows.",
        },
    },
    DocumentKind.REJECTED: {
        "title": {"ja": "却下通知書", "en": "Notice of rejection"},
        "body": {
            "ja": "{submitted}付けで申請のあった{procedure}については、次の理由により却下したので通知します。",
            "en": "The municipality rejected your application for the reason below.",
        },
    },
    DocumentKind.RECEIPT: {
        "title": {"ja": "受理証明書", "en": "Certificate of receipt"},
        "body": {
            "ja": "次の申請を{submitted}に受理したことを証明します。",
            "en": "This certifies that the application below was received.",
        },
    },
    DocumentKind.PAYMENT_SLIP: {
        "title": {"ja": "納付書", "en": "Payment slip"},
        "body": {
            "ja": "{submitted}付けで申請のあった{procedure}の手数料を、次のとおり納付してください。",
            "en": "Please pay the fee of your application as below.",
        },
    },
}
PLACEHOLDERS = ("procedure", "submitted", "decided")


@dataclass(frozen=True)
class DocumentText:
    title: str  # Japanese, as printed
    title_en: str
    body: str  # Japanese, placeholders filled in


def decision_kind(status: str) -> str | None:
    """Return the document kind a decision to ``status`` issues (None: the status issues none)."""
    return {"approved": DocumentKind.APPROVED, "rejected": DocumentKind.REJECTED}.get(status)


def document_text(definition: dict, kind: str, *, values: dict[str, str]) -> DocumentText:
    """Return the title and body of a ``kind`` document for a procedure ``definition``."""
    configured = (definition.get("documents") or {}).get(kind) or {}
    title = {**DEFAULTS[kind]["title"], **(configured.get("title") or {})}
    body = configured.get("body") or DEFAULTS[kind]["body"]
    return DocumentText(title=title["ja"], title_en=title.get("en", title["ja"]), body=fill(body["ja"], values))


def fill(template: str, values: dict[str, str]) -> str:
    """Replace the known ``{name}`` placeholders; leave every other brace as written."""
    for name in PLACEHOLDERS:
        template = template.replace("{" + name + "}", values.get(name, ""))
    return template


def document_title(definition: dict, kind: str, language: str) -> str:
    """The title of a ``kind`` document in ``language`` (Japanese unless English is asked for)."""
    configured = (definition.get("documents") or {}).get(kind) or {}
    title = {**DEFAULTS[kind]["title"], **(configured.get("title") or {})}
    return title.get(language) or title["ja"]
