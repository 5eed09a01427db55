from __future__ import annotations

from django import template

from catalog.rendering import render_code, render_markdown, render_output

register = template.Library()

register.filter("markdown", render_markdown)
register.filter("render_output", render_output)


@register.filter("highlight")
def highlight_filter(source: str, kind: str):
    return render_code(source, kind)
