"""Feed HTML (RSS descriptions, Atom content) to readable plain text, with the stdlib parser.

What a person reading the post sees, as text: blocks become paragraphs, scripts vanish, code
blocks (`<pre>`) keep their indentation verbatim, and quoted text (`<blockquote>`, Discourse's
`<aside class="quote">`) is set apart with "> " at the start of each of its lines, as e-mail
does, so the author's own words are never mixed with the words they quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html.parser import HTMLParser

#: Discourse appends these to every topic in its RSS: counts and a link, not the post.
_DISCOURSE_FOOTER = re.compile(r"^(\d+ posts? - \d+ participants?|Read full topic)$")
_SPACES = re.compile(r"[ \t\r\f\v\xa0]+")


@dataclass
class _Line:
    text: str = ""
    quote: int = 0
    pre: bool = False


class _TextExtractor(HTMLParser):
    """HTML to lines, each knowing whether it is quoted (and how deep) or code."""

    PARAGRAPHS = frozenset(
        "p ul ol table h1 h2 h3 h4 h5 h6 pre blockquote hr section article header footer "  # noqa: SIM905
        "figure aside".split()
    )
    LINES = frozenset({"br", "li", "tr", "div", "dt", "dd", "figcaption"})
    HIDDEN = frozenset({"script", "style", "template", "noscript"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[_Line] = [_Line()]
        self.hidden = self.pre = self.quote = 0
        #: For each open element that may close a quote: did it open one?
        self.quotes: list[tuple[str, bool]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.hidden += tag in self.HIDDEN
        if tag in self.PARAGRAPHS or tag in self.LINES:
            self._break(2 if tag in self.PARAGRAPHS else 1)
        if tag in ("blockquote", "aside"):
            if tag == "aside":
                quoting = "quote" in (values.get("class") or "").split()
            else:  # Discourse wraps a quote's words in a blockquote inside its aside
                quoting = not (self.quotes and self.quotes[-1] == ("aside", True))
            self.quotes.append((tag, quoting))
            self.quote += quoting
        self.pre += tag == "pre"
        emoji = tag == "img" and "emoji" in (values.get("class") or "").split()
        if emoji and values.get("alt"):  # forum emoji are images; their alt text is the emoji
            self._add(str(values["alt"]))

    def handle_endtag(self, tag: str) -> None:
        self.hidden = max(0, self.hidden - (tag in self.HIDDEN))
        self.pre = max(0, self.pre - (tag == "pre"))
        if tag in self.PARAGRAPHS:
            self._break(2)
        if tag in ("blockquote", "aside"):
            while self.quotes:
                opened, quoting = self.quotes.pop()
                self.quote -= quoting
                if opened == tag:
                    break

    def handle_data(self, data: str) -> None:
        if self.hidden:
            return
        if not self.pre:  # outside <pre>, a line break in the source is just a space
            self._add(re.sub(r"\s+", " ", data))
            return
        first, *rest = data.split("\n")
        self._add(first)
        for line in rest:
            self.lines.append(_Line(quote=self.quote, pre=True))
            self._add(line)

    def _add(self, text: str) -> None:
        line = self.lines[-1]
        if not line.text.strip() and text.strip():  # the line takes its first words' kind
            line.quote, line.pre = self.quote, bool(self.pre)
        line.text += text

    def _break(self, count: int) -> None:
        self.lines.extend(_Line(quote=self.quote) for _ in range(count))


def html_to_text(html: str) -> str:
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    rendered: list[tuple[str, int]] = []
    for line in extractor.lines:
        text = line.text.rstrip() if line.pre else _SPACES.sub(" ", line.text).strip()
        if text or (rendered and rendered[-1][0]):  # one blank line between paragraphs
            rendered.append((("> " * line.quote) + text if text else "", line.quote))
    lines = []
    for index, (text, _) in enumerate(rendered):
        after = rendered[index + 1][1] if index + 1 < len(rendered) else 0
        before = rendered[index - 1][1] if index else 0
        # A blank line inside a quote stays part of it, as e-mail writes it.
        lines.append(text or (">" * min(before, after)))
    return _finish(lines)


def tidy(text: str) -> str:
    """Collapse blank runs and drop a trailing Discourse footer."""
    return _finish([_SPACES.sub(" ", line).strip() for line in text.split("\n")])


def _finish(lines: list[str]) -> str:
    while lines and (not lines[-1] or _DISCOURSE_FOOTER.match(lines[-1])):
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines))
