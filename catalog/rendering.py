"""Turning what users did not write (markdown, outputs, HTML) into safe HTML."""

from __future__ import annotations

import base64
import binascii
import re

import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer, SqlLexer, TextLexer

MAX_TEXT_OUTPUT_CHARS = 20_000
MAX_IMAGE_BYTES = 5 * 1024 * 1024
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_markdown = MarkdownIt("commonmark", {"html": True, "linkify": False}).enable("table")
_formatter = HtmlFormatter(nowrap=False, cssclass="hl")
_LEXERS = {"code": PythonLexer(), "sql": SqlLexer()}

ALLOWED_TAGS = nh3.ALLOWED_TAGS | {"img", "table", "thead", "tbody", "tr", "th", "td", "span"}
ALLOWED_ATTRIBUTES = {
    **nh3.ALLOWED_ATTRIBUTES,
    "img": {"src", "alt", "width", "height", "title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
    "span": {"class"},
}


def sanitize_html(html: str) -> SafeString:
    return mark_safe(  # safe: nh3 has just removed everything unsafe
        nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener noreferrer nofollow",
        )
    )


def render_markdown(text: str) -> SafeString:
    return sanitize_html(_markdown.render(text))


def render_code(source: str, kind: str) -> SafeString:
    lexer = _LEXERS.get(kind, TextLexer())
    return mark_safe(highlight(source, lexer, _formatter))  # safe: pygments escapes


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def _pre(text: str) -> str:
    text = _ANSI.sub("", text)
    if len(text) > MAX_TEXT_OUTPUT_CHARS:
        dropped = len(text) - MAX_TEXT_OUTPUT_CHARS
        text = text[:MAX_TEXT_OUTPUT_CHARS] + f"\n… {dropped:,} more characters not shown"
    return f'<pre class="output">{escape(text)}</pre>'


def _image(mime: str, data) -> str | None:
    raw = _text(data).replace("\n", "")
    if len(raw) > MAX_IMAGE_BYTES * 4 // 3:
        return '<p class="muted">(image too large to show)</p>'
    try:
        base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        return None
    return f'<img class="output" alt="output image" src="data:{mime};base64,{raw}">'


def render_output(output: dict) -> SafeString:
    """One nbformat v4 output as safe HTML."""
    kind = output.get("output_type")
    if kind == "stream":
        return mark_safe(_pre(_text(output.get("text"))))  # safe: escaped in _pre
    if kind == "error":
        trace = "\n".join(_text(line) for line in output.get("traceback") or [])
        text = trace or f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"
        return mark_safe(_pre(text))  # safe: escaped in _pre
    data = output.get("data") or {}
    if not isinstance(data, dict):
        return mark_safe("")  # safe: constant
    for mime in ("image/png", "image/jpeg", "image/gif"):
        if mime in data and (html := _image(mime, data[mime])):
            return mark_safe(html)  # safe: base64 checked, attribute fixed
    if "image/svg+xml" in data:
        svg = _text(data["image/svg+xml"]).encode()
        # An SVG drawn through <img> cannot run scripts.
        encoded = base64.b64encode(svg).decode()
        return mark_safe(_image("image/svg+xml", encoded) or "")
    if "text/html" in data:
        html = _text(data["text/html"])
        if len(html) > MAX_TEXT_OUTPUT_CHARS * 5:
            return mark_safe(_pre(html))  # safe: escaped in _pre
        return sanitize_html(f'<div class="output html">{html}</div>')
    if "text/markdown" in data:
        return render_markdown(_text(data["text/markdown"]))
    if "text/plain" in data:
        return mark_safe(_pre(_text(data["text/plain"])))  # safe: escaped in _pre
    return mark_safe("")  # safe: constant


def highlight_css() -> str:
    return _formatter.get_style_defs(".hl")
