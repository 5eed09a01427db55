"""Lineage diff: what a new version of a notebook reads and writes that the old did not,
what it no longer does, and what downstream is affected."""

from __future__ import annotations

from dataclasses import dataclass, field

from accounts.access import sight_of
from catalog.models import Notebook, NotebookVersion
from catalog.warehouse.tables import TableResolver, connection_for
from lineage.graph import ViewNode
from lineage.selectors import lineage_graph


@dataclass(frozen=True)
class Change:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.removed)


@dataclass(frozen=True)
class LineageDiff:
    reads: Change
    writes: Change
    columns_read: Change
    columns_written: Change
    affected: list[ViewNode]  # downstream notebooks, apps and metrics the viewer may see
    affected_hidden: int  # ... and how many more they may not

    @property
    def has_changes(self) -> bool:
        return any((self.reads, self.writes, self.columns_read, self.columns_written))


@dataclass(frozen=True)
class _Lineage:
    reads: dict[str, str]  # urn -> name
    writes: dict[str, str]
    columns_read: dict[str, str]
    columns_written: dict[str, str]


def _lineage_of(version: NotebookVersion, resolve: TableResolver) -> _Lineage:
    lineage = version.notebook_lineage()
    reads, writes, col_read, col_written = {}, {}, {}, {}
    for names, into in ((lineage.reads, reads), (lineage.writes, writes)):
        for name in names:
            into[resolve.urn(name)] = resolve(name)[1]
    for edge in lineage.column_edges:
        source, target = resolve.column(edge.source), resolve.column(edge.target)
        if source is not None:
            col_read[source[0]] = source[1]
        if target is not None:
            col_written[target[0]] = target[1]
    return _Lineage(reads, writes, col_read, col_written)


def _change(old: dict[str, str], new: dict[str, str]) -> Change:
    return Change(
        added=sorted(new[u] for u in new.keys() - old.keys()),
        removed=sorted(old[u] for u in old.keys() - new.keys()),
    )


def version_diff(user, notebook: Notebook, old: NotebookVersion, new: NotebookVersion):
    """Compare the lineage of two versions of a notebook the caller has authorized.

    The tables and columns named are the notebook's own (its source names them);
    the affected downstream assets are redacted for ``user``.
    """
    resolve = TableResolver(connection_for(notebook.workspace))
    before, after = _lineage_of(old, resolve), _lineage_of(new, resolve)
    graph = lineage_graph()
    viewer = sight_of(user)
    starts: set[str] = set()
    starts |= before.writes.keys() ^ after.writes.keys()
    starts |= before.columns_written.keys() ^ after.columns_written.keys()
    if before.reads.keys() != after.reads.keys() or before.columns_read != after.columns_read:
        starts |= after.writes.keys() | before.writes.keys()  # its outputs change with its inputs
    affected: dict[str, ViewNode] = {}
    hidden: set[str] = set()
    for start in sorted(starts):
        for kind, urns in graph.impact(start).items():
            if kind not in ("notebook", "app", "metric"):
                continue
            for urn in urns - {notebook.urn}:
                node = graph.describe(graph.attrs("notebook", urn), urn, viewer)
                if node.restricted:
                    hidden.add(urn)
                else:
                    affected[urn] = node
    return LineageDiff(
        reads=_change(before.reads, after.reads),
        writes=_change(before.writes, after.writes),
        columns_read=_change(before.columns_read, after.columns_read),
        columns_written=_change(before.columns_written, after.columns_written),
        affected=sorted(affected.values(), key=lambda n: (n.kind, n.name or "")),
        affected_hidden=len(hidden),
    )
