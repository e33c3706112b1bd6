"""A small HTML reader for page tests: find elements by tag and attributes."""

import json
from html.parser import HTMLParser


class Element:
    def __init__(self, tag: str, attrs: dict[str, str | None]):
        self.tag = tag
        self.attrs = attrs
        self.text = ""

    def __repr__(self) -> str:
        return f"<{self.tag} {self.attrs} {self.text!r}>"


class _Collector(HTMLParser):
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []

    def handle_starttag(self, tag, attrs):
        element = Element(tag, dict(attrs))
        self.elements.append(element)
        if tag not in self.VOID:
            self._open.append(element)

    def handle_endtag(self, tag):
        for index in range(len(self._open) - 1, -1, -1):
            if self._open[index].tag == tag:
                del self._open[index:]
                break

    def handle_data(self, data):
        for element in self._open:
            element.text += data


def parse(html: str | bytes) -> list[Element]:
    collector = _Collector()
    collector.feed(html.decode() if isinstance(html, bytes) else html)
    return collector.elements


def find_all(html: str | bytes, tag: str, **attrs: str) -> list[Element]:
    """Elements with this tag whose attributes equal the given ones (class_ for class)."""
    wanted = {key.rstrip("_").replace("_", "-"): value for key, value in attrs.items()}
    return [
        element
        for element in parse(html)
        if element.tag == tag and all(element.attrs.get(key) == value for key, value in wanted.items())
    ]


def texts(html: str | bytes, tag: str, **attrs: str) -> list[str]:
    return [" ".join(element.text.split()) for element in find_all(html, tag, **attrs)]


def json_ld(html: str | bytes) -> list:
    """The parsed content of each <script type="application/ld+json"> element."""
    return [json.loads(element.text) for element in find_all(html, "script", type="application/ld+json")]
