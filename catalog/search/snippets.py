"""Result snippets: a passage of what an asset says about itself, matched words marked."""

from __future__ import annotations

import re
from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

SNIPPET_CHARS = 180
# Kinds whose body is their definition (SQL, code): quoted when the description is not
# where the words are. Other kinds' bodies are index text (a table's kind, a type).
DEFINED_KINDS = frozenset(("metric", "notebook", "block"))


def _stem(word: str) -> str:
    """A crude stem, to highlight 'users' for 'user' and 'activation' for 'active'."""
    for suffix in ("ations", "ation", "ings", "ing", "ies", "es", "ed", "ly", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _pattern(words: Sequence[str]) -> re.Pattern | None:
    stems = sorted({_stem(w) for w in words if w}, key=len, reverse=True)
    if not stems:
        return None
    return re.compile(r"(?<![^\W_])(?:" + "|".join(map(re.escape, stems)) + r")[^\W_]*", re.I)


def make_snippet(summary: str, definition: str, words: Sequence[str]) -> SafeString:
    """A short passage of ``summary`` (the asset's description) around the first word
    found, else of ``definition`` where a word is, escaped, every word found in ``<mark>``.

    Examples:
        >>> str(make_snippet("Paid <b>invoices</b>.", "", ["invoice"]))
        'Paid &lt;b&gt;<mark>invoices</mark>&lt;/b&gt;.'
    """
    pattern = _pattern(words)
    text, match = "", None
    for candidate in (summary, definition):
        candidate = " ".join((candidate or "").split())
        found = pattern.search(candidate) if pattern and candidate else None
        if found:
            text, match = candidate, found
            break
    if not text:
        text = " ".join((summary or definition or "").split())
    start = 0
    if match and match.start() > SNIPPET_CHARS // 3:
        start = text.rfind(" ", 0, match.start() - SNIPPET_CHARS // 3) + 1
    end = min(len(text), start + SNIPPET_CHARS)
    if end < len(text):
        cut = text.rfind(" ", start, end)
        end = cut if cut > start else end
    passage = text[start:end]
    parts, last = [], 0
    for found in pattern.finditer(passage) if pattern else ():
        parts.append(escape(passage[last : found.start()]))
        parts.append(f"<mark>{escape(found.group(0))}</mark>")
        last = found.end()
    parts.append(escape(passage[last:]))
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(text) else ""
    return mark_safe(prefix + "".join(parts) + suffix)  # safe: every piece escaped above


def snippet(doc, words: Sequence[str]) -> SafeString:
    """The snippet of a search document: from its description, or its definition."""
    definition = doc.body if doc.kind in DEFINED_KINDS else ""
    return make_snippet(doc.summary, definition, words)
