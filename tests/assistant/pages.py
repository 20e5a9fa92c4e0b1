"""A page's elements by id, for asserting where a message is shown (Python's own HTML parser)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    tag: str
    attrs: dict[str, str | None]
    text: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)  # (href, text) of <a> inside


class _Parser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.by_id: dict[str, Element] = {}
        self.by_class: dict[str, list[Element]] = {}
        self.open: list[tuple[str, Element]] = []
        self.link: list = []

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs))
        if element.attrs.get("id"):
            self.by_id[element.attrs["id"]] = element
        for name in (element.attrs.get("class") or "").split():
            self.by_class.setdefault(name, []).append(element)
        if tag == "a":
            self.link.append([element.attrs.get("href") or "", ""])
        if tag not in VOID:
            self.open.append((tag, element))

    def handle_endtag(self, tag):
        if tag == "a" and self.link:
            href, text = self.link.pop()
            for _tag, element in self.open:
                element.links.append((href, text.strip()))
        while self.open:
            if self.open.pop()[0] == tag:
                break

    def handle_data(self, data):
        for _tag, element in self.open:
            element.text += data
        for link in self.link:
            link[1] += data


@dataclass
class Page:
    by_id: dict[str, Element]
    by_class: dict[str, list[Element]]

    def __getitem__(self, element_id: str) -> Element:
        return self.by_id[element_id]

    def summary_links(self) -> list[tuple[str, str]]:
        """Return the (href, text) links of the page's error summary."""
        return self.by_class["error-summary"][0].links


def parse(response) -> Page:
    parser = _Parser()
    parser.feed(response.content.decode())
    return Page(parser.by_id, parser.by_class)
