"""Find the system's words on a page: catalogue codes and internal values shown as text.

Only what a person reads counts: text nodes, and the ``alt``, ``aria-label`` and
``placeholder`` attributes. Scripts, styles, and ``<code>``/``<pre>`` (where a page shows a
header or a file's literal text on purpose) are left out. A chart's words count: the
``<text>``, ``<title>`` and ``<desc>`` of an inline SVG are what a reader sees beside the
marks and what a screen reader announces (the check once skipped SVG, and the evaluation
page's love plot showed ``prior_agency:<slug>`` there and in the table beside it unseen).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from wraparound.core.labels import catalogue, catalogue_codes

SKIPPED = {"script", "style", "template", "head", "code", "pre"}
READ_ATTRIBUTES = ("alt", "aria-label", "placeholder")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
        "track", "wbr"}  # fmt: skip

# Internal values that are not catalogue codes but were seen on pages (issue 15's findings).
INTERNAL_PATTERNS = {
    "snake_case identifier": re.compile(r"(?<![\w./-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w-])"),
    "dataset or record key": re.compile(r"(?<![\w./-])[a-z0-9]+(?:-[a-z0-9]+)+:[a-z][\w-]*"),
    "mapping option": re.compile(r"\b(?:event|field|ignore):[a-z_]+"),
    # A code with a prefix, as covariates and indicators are named (``prior_agency:slug``,
    # ``locality:unknown``, ``prior_agency:*``): English never joins two words with a colon.
    "prefixed code": re.compile(r"(?<![\w./:-])[a-z][a-z0-9]*(?:_[a-z0-9]+)*:[a-z0-9*][\w*-]*"),
    "suppressed twice": re.compile(r"suppressed \(suppressed\)", re.IGNORECASE),
    "SQL in a reason": re.compile(r"\bis (?:NOT )?NULL\b|All other comparisons"),
    "wildcard": re.compile(r"\bfrom \*"),
    # The linkage model's column names, which are not English words ("rests on dob").
    "linkage column name": re.compile(r"(?<![\w./-])(?:dob|upn|nhs|std)(?![\w-])"),
}


def _category_code_patterns() -> dict[str, re.Pattern[str]]:
    """Data category codes that are plain words (``health``, ``police``) read as English alone
    and in prose lists ("an education, health and care plan"), but not as ``health, police
    data`` or ``for health data``: that is how the emergency-access alert once named them."""
    codes = sorted((c for c in catalogue("category") if c.islower()), key=len, reverse=True)
    one = "(?:" + "|".join(re.escape(c) for c in codes) + ")"
    return {
        "list of category codes": re.compile(rf"(?<![\w-]){one}(?:, {one})+ data\b"),
        "category code as data": re.compile(rf"\bfor {one}(?:, {one})* data\b"),
    }


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skipping = 0
        self.chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED:
            self.skipping += 1
            return
        if tag in VOID and tag != "input" and tag != "img":
            return
        for name, value in attrs:
            if name in READ_ATTRIBUTES and value and not self.skipping:
                self.chunks.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED and self.skipping:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping and data.strip():
            self.chunks.append(data.strip())


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return "\n".join(parser.chunks)


def raw_codes_in(html: str) -> list[str]:
    """Each raw code or internal value a reader would see, with a little of its context."""
    text = visible_text(html)
    found: list[str] = []
    codes = catalogue_codes()
    token = re.compile(r"(?<![\w./-])[A-Za-z0-9_]+(?![\w-])")
    for match in token.finditer(text):
        if match.group(0) in codes:
            found.append(f"catalogue code {match.group(0)!r} in {_around(text, match)!r}")
    for name, pattern in {**INTERNAL_PATTERNS, **_category_code_patterns()}.items():
        for match in pattern.finditer(text):
            found.append(f"{name} {match.group(0)!r} in {_around(text, match)!r}")
    return sorted(set(found))


def _around(text: str, match: re.Match[str]) -> str:
    return text[max(0, match.start() - 40) : match.end() + 40].replace("\n", " | ")
