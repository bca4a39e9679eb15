"""Feed HTML (RSS descriptions, Atom content) to readable plain text, with the stdlib parser."""

from __future__ import annotations

import re
from html.parser import HTMLParser

#: Discourse appends these to every topic in its RSS: counts and a link, not the post.
_DISCOURSE_FOOTER = re.compile(r"^(\d+ posts? - \d+ participants?|Read full topic)$")


class _TextExtractor(HTMLParser):
    """HTML to readable text: blocks become paragraphs, scripts and styles vanish."""

    PARAGRAPHS = frozenset(
        "p ul ol table h1 h2 h3 h4 h5 h6 pre blockquote hr section article header footer "  # noqa: SIM905
        "figure".split()
    )
    LINES = frozenset({"br", "li", "tr", "div", "dt", "dd", "figcaption"})
    HIDDEN = frozenset({"script", "style", "template", "noscript"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = self.pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.hidden += tag in self.HIDDEN
        self.pre += tag == "pre"
        if tag in self.PARAGRAPHS or tag in self.LINES:
            self.parts.append("\n\n" if tag in self.PARAGRAPHS else "\n")
        elif tag == "img":  # forum emoji are images; their alt text is the emoji
            values = dict(attrs)
            if "emoji" in (values.get("class") or "").split() and values.get("alt"):
                self.parts.append(str(values["alt"]))

    def handle_endtag(self, tag: str) -> None:
        self.hidden = max(0, self.hidden - (tag in self.HIDDEN))
        self.pre = max(0, self.pre - (tag == "pre"))
        if tag in self.PARAGRAPHS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:  # outside <pre>, a line break in the source is just a space
            self.parts.append(data if self.pre else re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    return tidy("".join(extractor.parts))


def tidy(text: str) -> str:
    """Collapse blank runs and drop a trailing Discourse footer."""
    lines = [re.sub(r"[ \t\r\f\v\xa0]+", " ", line).strip() for line in text.split("\n")]
    while lines and (not lines[-1] or _DISCOURSE_FOOTER.match(lines[-1])):
        lines.pop()
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
