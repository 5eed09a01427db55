from __future__ import annotations

from django import template
from django.utils.html import format_html

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
    return "" if block is None else block.display_name


def _links(context, workspace):
    """One `AssetLinks` per page and workspace, so each name is resolved once."""
    from catalog.assets.links import AssetLinks

    cache = context.render_context.setdefault("asset_links", {})
    key = getattr(workspace, "pk", None)
    if key not in cache:
        request = context.get("request")
        cache[key] = AssetLinks(getattr(request, "user", None), workspace)
    return cache[key]


@register.simple_tag(takes_context=True)
def table_link(context, name: str, workspace=None) -> str:
    """``{% table_link name workspace %}``: the table's name, linked to its page when it is
    catalogued and the person may see it (``name`` as the SQL spells it, or a URN)."""
    url = _links(context, workspace).table_url(name)
    if url is None:
        return format_html("<code>{}</code>", name)
    return format_html('<a href="{}"><code>{}</code></a>', url, name)


@register.simple_tag(takes_context=True)
def column_link(context, dotted: str, workspace=None) -> str:
    """``{% column_link "schema.table.column" workspace %}``: linked to its table's row."""
    url = _links(context, workspace).column_url(dotted)
    if url is None:
        return format_html("<code>{}</code>", dotted)
    return format_html('<a href="{}"><code>{}</code></a>', url, dotted)


@register.simple_tag
def block_link(page, linked) -> str:
    """``{% block_link page linked %}``: the anchor of a block an edge leads to, or, when the
    window shown does not hold it, the window that starts with it."""
    if page.offset <= linked.position < page.end:
        return f"#block-{linked.block_id}"
    return f"?blocks_offset={linked.position}#block-{linked.block_id}"
