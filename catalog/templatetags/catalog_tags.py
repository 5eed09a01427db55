from __future__ import annotations

from django import template

from catalog.formats.titles import block_name as name_of_block
from catalog.rendering import render_code, render_markdown, render_output

register = template.Library()

register.filter("markdown", render_markdown)
register.filter("render_output", render_output)


@register.filter("sorted")
def sorted_filter(values):
    """The analysis keeps names as sets: shown in a stable order."""
    return sorted(values or ())


@register.filter("highlight")
def highlight_filter(source: str, kind: str):
    return render_code(source, kind)


@register.simple_tag
def workspace_connections(user, workspace):
    """``{% workspace_connections user workspace as connections %}``: those the user may see."""
    from catalog.assets.selectors import connections_for

    return list(connections_for(user, workspace))


@register.filter("block_name")
def block_name(block) -> str:
    """``{{ block|block_name }}``: what the block is (its variable, first definition, first
    markdown line or place), never its id."""
    if block is None:
        return ""
    return name_of_block(
        block.kind,
        variable=block.variable,
        defines=block.block_lineage.analysis.defines,
        source=block.source,
        position=block.position,
    )


@register.simple_tag
def block_link(page, linked) -> str:
    """``{% block_link page linked %}``: the anchor of a block an edge leads to, or, when the
    window shown does not hold it, the window that starts with it."""
    if page.offset <= linked.position < page.end:
        return f"#block-{linked.block_id}"
    return f"?blocks_offset={linked.position}#block-{linked.block_id}"
