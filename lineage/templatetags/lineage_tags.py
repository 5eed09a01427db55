"""Lineage on catalog pages: ``{% load lineage_tags %}{% notebook_dependencies notebook %}``.

The catalog cannot import lineage (it is the layer below); templates sit above
both, so the notebook and history pages reach lineage through these tags.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.urls import reverse

from lineage.diff import version_diff
from lineage.drawing import label_of
from lineage.neighbourhood import compact_lineage
from lineage.selectors import notebook_dependencies, table_changes

register = template.Library()


def _user(context):
    request = context.get("request")
    return getattr(request, "user", None) or context.get("user")


@register.simple_tag
def lineage_url(urn: str, level: str = "notebook") -> str:
    """``{% lineage_url table.urn %}``: the lineage page centred on an asset."""
    return f"{reverse('lineage')}?{urlencode({'urn': urn, 'level': level})}"


@register.inclusion_tag(
    "lineage/_dependencies.html", takes_context=True, name="notebook_dependencies"
)
def dependencies_tag(context, notebook):
    """``{% notebook_dependencies notebook %}`` on the notebook page."""
    return {
        "notebook": notebook,
        "deps": notebook_dependencies(_user(context), notebook),
        "lineage_url": lineage_url(notebook.urn),
    }


@register.inclusion_tag("lineage/_diff.html", takes_context=True)
def lineage_diff(context, notebook, old, new):
    """``{% lineage_diff notebook old new %}`` on the version history page."""
    if old is None or new is None:
        return {"diff": None}
    diff = version_diff(_user(context), notebook, old, new)
    return {
        "diff": diff,
        "old": old,
        "new": new,
        "request": context.get("request"),
        "workspace": notebook.workspace,
    }


@register.simple_tag(takes_context=True)
def asset_lineage(context, urn: str):
    """``{% asset_lineage urn as lineage %}``: the compact lineage of an asset page."""
    return compact_lineage(_user(context), urn)


@register.simple_tag
def node_label(node) -> str:
    """``{% node_label node %}``: a lineage node's short name (redacted ones by kind)."""
    return label_of(node)


@register.simple_tag(takes_context=True)
def table_history(context, urn: str):
    """``{% table_history urn as history %}``: (changes, hidden count) of a table."""
    return table_changes(_user(context), urn)
