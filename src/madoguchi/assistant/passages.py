"""An answer as passages: what the retriever scores, each on its own, best passage per entry.

A city's FAQ answer may run to thousands of characters under several headings (対象者 /
手続きに必要なもの / 手数料 …). Scored as one text, the part that answers a question is
diluted by the rest — for BM25 by the length normalisation, for e5 by the mean over every
token. So the answer's plain text is split at its paragraphs (blank lines: the HTML cleaner
makes each block, and each heading, a paragraph) and at heading-like lines (【…】, ■, ●, ◆, ◇,
□, ＜…＞ openers); short paragraphs are joined up to ``PASSAGE_CHARS`` so a passage has some
context, a longer one is cut at sentence ends (。 ！ ？ or a line break). The question is
scored with every passage of its entry, since a passage alone often does not name its topic.

Only the first ``MAX_DENSE_PASSAGES`` passages get a vector: what residents ask is almost
always in the first sections, and embedding is the slow part of an import (e5 runs over
every token). Three, not four: 12 % fewer texts for a 1,786-entry FAQ (projected under the
five minutes of issue 13 on an idle 2-core server) for a loss of 0.002 development nDCG@10
(measured side by side: docs/assistant.md, "Choosing the passage scheme"). BM25 sees every passage: it costs nothing.
"""

from __future__ import annotations

import re

PASSAGE_CHARS = 400
MAX_DENSE_PASSAGES = 3
_HEADING = re.compile(r"^\s*(?:【|■|●|◆|◇|□|＜|<|〈|\[|［|第.{1,3}[章節条]|[0-9０-９]+[.．、)）]\s*\S)")
_SENTENCE_END = re.compile(r"(?<=[。！？!?\n])")


def _blocks(text: str) -> list[str]:
    """Paragraphs of ``text``, a heading-like line starting a new one."""
    blocks: list[list[str]] = [[]]
    for line in text.splitlines():
        if not line.strip():
            if blocks[-1]:
                blocks.append([])
            continue
        if _HEADING.match(line) and blocks[-1]:
            blocks.append([])
        blocks[-1].append(line.strip())
    return ["\n".join(block) for block in blocks if block]


def _cut(block: str, limit: int) -> list[str]:
    """Cut an over-long paragraph at sentence ends into pieces of at most ``limit`` characters."""
    pieces: list[str] = []
    current = ""
    for sentence in (s for s in _SENTENCE_END.split(block) if s):
        while len(sentence) > limit:  # one sentence longer than a passage: cut it hard
            if current:
                pieces.append(current)
                current = ""
            pieces.append(sentence[:limit])
            sentence = sentence[limit:]
        if current and len(current) + len(sentence) > limit:
            pieces.append(current)
            current = ""
        current += sentence
    if current:
        pieces.append(current)
    return [p.strip() for p in pieces if p.strip()]


def split_passages(text: str, *, limit: int = PASSAGE_CHARS) -> list[str]:
    """Return ``text`` (an answer's plain text) as passages of at most ``limit`` characters.

    Paragraphs are kept whole where they fit, joined while the sum fits, cut at sentence
    ends where one alone is too long; a heading starts a new passage. Empty text gives [].
    """
    passages: list[str] = []
    current = ""
    for block in _blocks(text):
        heading = bool(_HEADING.match(block))
        for piece in _cut(block, limit) if len(block) > limit else [block]:
            if current and (heading or len(current) + 1 + len(piece) > limit):
                passages.append(current)
                current = ""
            current = f"{current}\n{piece}" if current else piece
            heading = False
    if current:
        passages.append(current)
    return passages


def dense_passages(text: str, *, limit: int = MAX_DENSE_PASSAGES) -> list[str]:
    """The passages of an answer that get a vector (the first ``limit``; at least one)."""
    return split_passages(text)[:limit] or [text]
