from __future__ import annotations

from django.db import models

from accounts.models import Workspace
from catalog.models import Notebook


class EdgeKind(models.TextChoices):
    """What an edge says. Every edge points downstream: from what is read to what reads it.

    So "app -> notebook" (an app runs a notebook) is stored as notebook -> app, and
    "metric -> table" (a metric is computed from a table) as table -> metric.
    """

    FEEDS = "feeds", "block feeds block"
    WRITES = "writes", "block writes table"
    READS = "reads", "table is read by block"
    COLUMN = "column", "column feeds column"
    USES = "uses", "column (or whole table) is read by block or metric"
    # What a block does to each table it changes (detail: the WriteKind), data flow or not:
    # a DELETE, an UPDATE from no other table, TRUNCATE, DROP, RENAME (via: the new name)
    # and ALTER are only here, never in the data-flow edges.
    CHANGES = "changes", "block changes table"
    # Runtime lineage: what a notebook's latest observed run really read and wrote.
    OBSERVED_READS = "observed_reads", "table was read by block in a run"
    OBSERVED_WRITES = "observed_writes", "block wrote table in a run"
    NOTEBOOK = "notebook", "notebook feeds notebook through a table"
    RUNS = "runs", "notebook is %run by notebook"
    APP = "app", "notebook is published as app"
    METRIC = "metric", "table is measured by metric"


# Edges stored from a notebook's own analysis; replaced whole on each re-ingest. READS,
# WRITES and NOTEBOOK edges are not stored: they derive from the catalog's NotebookTable
# rows (see lineage.table_edges), the one record of which notebook uses which table.
# USES edges say which columns a block reads, for column-precise impact: from a column, or
# (detail "all") from a table whose columns the block reads without naming them.
ANALYSIS_KINDS = (
    EdgeKind.FEEDS,
    EdgeKind.COLUMN,
    EdgeKind.RUNS,
    EdgeKind.USES,
    EdgeKind.CHANGES,
)
# Edges from runs (execution's runtime lineage): replaced per notebook by its newest
# observed run, never by an ingest.
OBSERVED_KINDS = (EdgeKind.OBSERVED_READS, EdgeKind.OBSERVED_WRITES)


class LineageEdge(models.Model):
    """One persisted edge between two assets, named by URN.

    ``source_workspace`` and ``target_workspace`` say which workspace mentions each
    end: the asset's own workspace for notebooks, blocks, apps and metrics, and for
    a table or column the workspace of the notebook or metric that mentions it. A
    viewer who may see that workspace may see the end; nobody else is told its name.
    """

    source_urn = models.CharField(max_length=1024, db_index=True)
    target_urn = models.CharField(max_length=1024, db_index=True)
    kind = models.CharField(max_length=16, choices=EdgeKind.choices)
    # Display names, stored because a table URN's warehouse part may itself hold "/".
    source_name = models.CharField(max_length=1024)
    target_name = models.CharField(max_length=1024)
    source_workspace = models.ForeignKey(
        Workspace, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    target_workspace = models.ForeignKey(
        Workspace, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The notebook whose analysis (or declaration, for apps and metrics) produced the edge;
    # for a derived notebook -> notebook edge, the downstream notebook.
    notebook = models.ForeignKey(
        Notebook, null=True, blank=True, on_delete=models.CASCADE, related_name="lineage_edges"
    )
    # The table a notebook -> notebook edge goes through, or the block a column edge comes from.
    via_urn = models.CharField(max_length=1024, blank=True)
    # identity | transform | aggregate for column edges; "all" for a uses edge from a table.
    detail = models.CharField(max_length=32, blank=True)

    class Meta:
        indexes = [models.Index(fields=["kind", "target_urn"], name="lineage_kind_target")]

    def __str__(self) -> str:
        return f"{self.source_urn} -[{self.kind}]-> {self.target_urn}"


class LineageStamp(models.Model):
    """One row whose value changes with every edge change: the graph cache's version.

    Updating it first also serializes edge replacements, so that two notebooks stored
    at once each see the other's tables when deriving notebook -> notebook edges.
    """

    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"lineage stamp {self.value}"
