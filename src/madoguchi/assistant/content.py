"""Answer text: stored as sanitised HTML, written and exported as plain text.

Answers allow a small set of markup — paragraphs, line breaks, lists, emphasis and links —
and everything else is removed by nh3 (the Rust ``ammonia`` sanitiser) before storage, so
a page may print an answer as it is. Plain text (a CSV cell) becomes HTML by
:func:`answer_html_from_text`: blank lines separate paragraphs, a line break stays a line
break, and lines starting with ``・`` become a list, as municipal FAQ pages write them.
"""

from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "strong", "em", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
BULLET = "・"
_TAG = re.compile(r"<\s*/?\s*[a-z][a-z0-9]*(\s[^<>]*)?/?>", re.IGNORECASE)
# A CMS page's answer comes as whatever markup its editor made: divs, headings, tables, spans
# with styles. Blocks become paragraphs (a heading a bold one) and table cells are spaced, so
# the text keeps its shape once only the allowed tags are left.
_HEADING = re.compile(r"<\s*(/?)\s*h[1-6]\b[^>]*>", re.IGNORECASE)
_BLOCK = re.compile(
    r"<\s*/?\s*(div|section|article|header|footer|main|aside|nav|blockquote|address|figure|figcaption"
    r"|table|thead|tbody|tfoot|tr|caption|dl|dt|dd|pre|hr|center)\b[^>]*>",
    re.IGNORECASE,
)
_CELL_END = re.compile(r"<\s*/\s*(td|th)\s*>", re.IGNORECASE)
_EMPTY_PARAGRAPH = re.compile(r"<p>(\s|<br>|&nbsp;|\u00a0)*</p>")


def sanitise_html(value: str) -> str:
    """Return ``value`` with only the allowed tags and attributes (links get rel=noopener).

    Other blocks (div, h3, table rows, ...) become paragraphs rather than running together.
    """
    value = _CELL_END.sub(" ", value)
    value = _HEADING.sub(lambda m: "</strong></p>" if m[1] else "<p><strong>", value)
    value = _BLOCK.sub("</p><p>", value)
    cleaned = nh3.clean(
        value,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
    )
    return _EMPTY_PARAGRAPH.sub("", cleaned).strip()


def looks_like_html(value: str) -> bool:
    return bool(_TAG.search(value))


def _paragraph(lines: list[str]) -> str:
    return "<p>" + "<br>".join(html.escape(line, quote=False) for line in lines) + "</p>"


def _list(items: list[str]) -> str:
    return "<ul>" + "".join(f"<li>{html.escape(item, quote=False)}</li>" for item in items) + "</ul>"


def answer_html_from_text(text: str) -> str:
    """Return sanitised HTML for plain ``text`` (paragraphs, line breaks, ・ lists)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    blocks: list[str] = []
    for paragraph in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in paragraph.split("\n") if line.strip()]
        # consecutive lines of one kind (text or ・ items) form one block
        run: list[str] = []
        bulleted = False
        for line in [*lines, None]:
            is_item = line is not None and line.startswith(BULLET)
            if run and (line is None or is_item != bulleted):
                blocks.append(_list(run) if bulleted else _paragraph(run))
                run = []
            if line is not None:
                bulleted = is_item
                run.append(line[len(BULLET) :].strip() if is_item else line)
    return sanitise_html("".join(blocks))


def answer_html_from_input(value: str) -> str:
    """Return sanitised HTML for an answer given either as HTML or as plain text."""
    return sanitise_html(value) if looks_like_html(value) else answer_html_from_text(value)


def answer_text_from_html(value: str) -> str:
    """Return the plain-text form of stored answer HTML (the inverse of :func:`answer_html_from_text`)."""
    text = re.sub(r"<br\s*/?>", "\n", value, flags=re.IGNORECASE)
    text = re.sub(r"<li[^>]*>", "\n" + BULLET, text, flags=re.IGNORECASE)
    text = re.sub(r"</(p|ul|ol)>", "\n\n", text, flags=re.IGNORECASE)
    text = re.sub(r"<[^>]+>", "", text)
    text = html.unescape(text)
    text = re.sub(r"\n{3,}", "\n\n", text)
    lines = [line.strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
