"""Find a notebook's title: its first level-one markdown heading."""

from __future__ import annotations

import re
from collections.abc import Iterable

_SETEXT_H1_UNDERLINE = re.compile(r"^ {0,3}=+[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(?P<fence>`{3,}|~{3,})")
_MAX_TITLE_LENGTH = 300


def first_heading(markdown_sources: Iterable[str]) -> str | None:
    """The text of the first `# heading` (or `===`-underlined heading) in the markdown.

    Headings inside fenced code blocks do not count.

    Args:
        markdown_sources: the sources of the notebook's markdown blocks, in order.

    Returns:
        The heading text, or None when there is no level-one heading.

    Examples:
        >>> first_heading(["Intro text", "```\\n# not this\\n```\\n# Billing daily #"])
        'Billing daily'
        >>> first_heading(["## Only a subheading"]) is None
        True
    """
    for source in markdown_sources:
        heading = _heading_in(source)
        if heading:
            return heading
    return None


def _heading_in(source: str) -> str | None:
    fence: str | None = None
    previous = ""
    for line in source.splitlines():
        fence_match = _FENCE.match(line)
        if fence is not None:
            closing = fence_match["fence"] if fence_match else ""
            if closing[:1] == fence[0] and len(closing) >= len(fence):
                fence = None
            previous = ""
            continue
        if fence_match:
            fence = fence_match["fence"]
            previous = ""
            continue
        atx = _atx_h1_text(line)
        if atx:
            return atx[:_MAX_TITLE_LENGTH]
        if previous.strip() and _SETEXT_H1_UNDERLINE.match(line):
            return previous.strip()[:_MAX_TITLE_LENGTH]
        previous = line
    return None


def _atx_h1_text(line: str) -> str | None:
    # Hand-written rather than a regex: a lazy pattern backtracks quadratically on long
    # runs of spaces, and a notebook may hold anything.
    indent = len(line) - len(line.lstrip(" "))
    if indent > 3:
        return None
    rest = line[indent:]
    if not rest.startswith("#") or (len(rest) > 1 and rest[1] not in " \t"):
        return None
    text = rest[1:].strip(" \t")
    without_closing = text.rstrip("#")
    if without_closing != text and (not without_closing or without_closing[-1] in " \t"):
        text = without_closing.rstrip(" \t")
    return text.strip() or None


_BLOCK_NAME_CHARS = 60


def block_name(
    kind: str,
    *,
    variable: str = "",
    defines: Iterable[str] = (),
    source: str = "",
    position: int = 0,
) -> str:
    """What to call a block on a page: what it is, never its id.

    The variable a SQL (or input) block fills, else the first name the block defines,
    else the first line of a markdown block, else its place in the notebook (1-based).

    Examples:
        >>> block_name("sql", variable="daily", source="SELECT 1")
        'daily'
        >>> block_name("code", defines=["model", "fit"], position=3)
        'model'
        >>> block_name("markdown", source="\\n## Billing, day by day\\nMore text")
        'Billing, day by day'
        >>> block_name("code", source="print(1)", position=3)
        'block 4'
    """
    if variable:
        return variable[:_BLOCK_NAME_CHARS]
    for name in defines:
        if name:
            return name[:_BLOCK_NAME_CHARS]
    if kind == "markdown":
        for line in source.splitlines():
            text = line.strip().lstrip("#>*-").strip()
            if text:
                return (
                    text if len(text) <= _BLOCK_NAME_CHARS else text[: _BLOCK_NAME_CHARS - 1] + "…"
                )
    return f"block {position + 1}"
