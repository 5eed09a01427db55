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
    # What the notebook does to each table it changes: (table, kind) pairs newly or no
    # longer there (``insert`` -> ``overwrite``, a new DELETE or DROP...).
    changes: Change
    affected: list[ViewNode]  # downstream notebooks, apps and metrics the viewer may see
    affected_hidden: int  # ... and how many more they may not

    @property
    def has_changes(self) -> bool:
        return any((self.reads, self.writes, self.columns_read, self.columns_written, self.changes))


@dataclass(frozen=True)
class _Lineage:
    reads: dict[str, str]  # urn -> name
    writes: dict[str, str]
    columns_read: dict[str, str]
    columns_written: dict[str, str]
    column_edges: frozenset[tuple[str, str, str]]  # (source URN, target URN, transformation)
    changes: dict[str, tuple[str, str]]  # "urn kind" -> (table name, kind)


def _lineage_of(version: NotebookVersion, resolve: TableResolver) -> _Lineage:
    lineage = version.notebook_lineage()
    reads, writes, col_read, col_written = {}, {}, {}, {}
    edges: set[tuple[str, str, str]] = set()
    for names, into in ((lineage.reads, reads), (lineage.writes, writes)):
        for name in names:
            into[resolve.urn(name)] = resolve(name)[1]
    for edge in lineage.column_edges:
        source, target = resolve.column(edge.source), resolve.column(edge.target)
        if source is not None:
            col_read[source[0]] = source[1]
        if target is not None:
            col_written[target[0]] = target[1]
        if source is not None and target is not None:
            edges.add((source[0], target[0], edge.transformation))
    changes: dict[str, tuple[str, str]] = {}
    for block in lineage.blocks:
        for table, kind in block.analysis.write_kinds.items():
            if table not in block.local and "/" not in table:
                changes[f"{resolve.urn(table)} {kind}"] = (resolve(table)[1], str(kind))
    return _Lineage(reads, writes, col_read, col_written, frozenset(edges), changes)


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
    # What changed, as precisely as the lineage says: a table newly or no longer written,
    # and every written table when the tables read change (its rows change with them), are
    # asked about whole; a column newly or no longer written, or fed from other columns, is
    # asked about by column, so that only what reads it (or columns derived from it) counts.
    starts: set[str] = set()
    starts |= before.writes.keys() ^ after.writes.keys()
    starts |= before.columns_written.keys() ^ after.columns_written.keys()
    starts |= {edge[1] for edge in before.column_edges ^ after.column_edges}
    if before.reads.keys() != after.reads.keys():
        starts |= after.writes.keys() | before.writes.keys()
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
        changes=Change(
            added=sorted(after.changes[k] for k in after.changes.keys() - before.changes.keys()),
            removed=sorted(before.changes[k] for k in before.changes.keys() - after.changes.keys()),
        ),
        affected=sorted(affected.values(), key=lambda n: (n.kind, n.name or "")),
        affected_hidden=len(hidden),
    )
