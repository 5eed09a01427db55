"""Asset URNs as lineage reads them: the kind of a URN, and the notebook a block belongs to.

Notebook, block, app and metric URNs start with a workspace slug (which holds no
``/``), so they split unambiguously. Table and column URNs carry a warehouse that
may itself hold ``/``; their names are stored with the edges instead of parsed.
"""

from __future__ import annotations

from typing import Literal

Urn = str
Kind = Literal["notebook", "block", "table", "column", "app", "metric"]
KINDS: tuple[Kind, ...] = ("notebook", "block", "table", "column", "app", "metric")
# Kinds that belong to one workspace (tables and columns belong to a warehouse).
WORKSPACE_KINDS = frozenset({"notebook", "block", "app", "metric"})


def kind_of(urn: Urn) -> str:
    """The kind prefix of a URN, or "" when it has none we know.

    Examples:
        >>> kind_of("table:duckdb://demo/analytics.users"), kind_of("nonsense")
        ('table', '')
    """
    prefix, sep, rest = urn.partition(":")
    return prefix if sep and rest and prefix in KINDS else ""


def notebook_urn(workspace_slug: str, path: str) -> Urn:
    return f"notebook:{workspace_slug}/{path}"


def block_urn(workspace_slug: str, path: str, block_id: str) -> Urn:
    return f"block:{workspace_slug}/{path}#{block_id}"


def table_urn(warehouse: str, name: str) -> Urn:
    return f"table:{warehouse}/{name}"


def column_urn(warehouse: str, table: str, column: str) -> Urn:
    return f"column:{warehouse}/{table}.{column}"


def app_urn(workspace_slug: str, slug: str) -> Urn:
    return f"app:{workspace_slug}/{slug}"


def metric_urn(workspace_slug: str, name: str) -> Urn:
    return f"metric:{workspace_slug}/{name}"


def split_workspace(urn: Urn) -> tuple[str, str]:
    """(workspace slug, the rest) of a notebook, block, app or metric URN.

    Examples:
        >>> split_workspace("block:production/billing/a.ipynb#3f2a")
        ('production', 'billing/a.ipynb#3f2a')
    """
    rest = urn.partition(":")[2]
    slug, _, tail = rest.partition("/")
    return slug, tail


def notebook_of(urn: Urn) -> Urn | None:
    """The notebook URN of a notebook or block URN, else None.

    Examples:
        >>> notebook_of("block:production/billing/a.ipynb#3f2a")
        'notebook:production/billing/a.ipynb'
    """
    kind = kind_of(urn)
    if kind == "notebook":
        return urn
    if kind == "block":
        return "notebook:" + urn.partition(":")[2].rpartition("#")[0]
    return None


def local_name(urn: Urn) -> str:
    """The name of a workspace-owned asset inside its workspace (path, path#block, slug).

    Examples:
        >>> local_name("notebook:analytics/metrics/wau.ipynb")
        'metrics/wau.ipynb'
    """
    return split_workspace(urn)[1]
