"""Design-time lineage as OpenLineage job events, built with the OpenLineage client's models.

One `JobEvent` per current notebook: the job is the notebook (namespace
``tributary:{workspace}``, name its path) with its SQL, type and title as job
facets; its inputs and outputs are the warehouse tables it reads and writes or otherwise
changes (namespace the warehouse, name the fully qualified table); each output carries a
column-lineage facet from the notebook's SQL, and, when the notebook creates, overwrites,
truncates, drops, renames or alters it, a ``lifecycleStateChange`` facet (a rename names
the new table, with the old as ``previousIdentifier``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from openlineage.client.event_v2 import InputDataset, Job, JobEvent, OutputDataset
from openlineage.client.generated.column_lineage_dataset import (
    ColumnLineageDatasetFacet,
    Fields,
    InputField,
    Transformation,
)
from openlineage.client.generated.documentation_job import DocumentationJobFacet
from openlineage.client.generated.job_type_job import JobTypeJobFacet
from openlineage.client.generated.lifecycle_state_change_dataset import (
    LifecycleStateChange,
    LifecycleStateChangeDatasetFacet,
    PreviousIdentifier,
)
from openlineage.client.generated.sql_job import SQLJobFacet
from openlineage.client.serde import Serde

from accounts.models import Workspace
from catalog.models import Notebook, NotebookTable
from catalog.warehouse.tables import connection_for
from lineage.models import EdgeKind, LineageEdge
from urns import parse_urn

PRODUCER = "https://tributary.example/lineage/export_openlineage"
# Our column transformations as OpenLineage's (type, subtype).
TRANSFORMATIONS = {
    "identity": ("DIRECT", "IDENTITY"),
    "transform": ("DIRECT", "TRANSFORMATION"),
    "aggregate": ("DIRECT", "AGGREGATION"),
}


def job_namespace(workspace_slug: str) -> str:
    return f"tributary:{workspace_slug}"


def _column(urn: str) -> tuple[str, str, str]:
    """(namespace, table, field) of a column URN."""
    column = parse_urn(urn)
    return column.warehouse, column.table, column.column


def _sql_of(notebook: Notebook) -> tuple[str, str | None]:
    statements, dialects = [], set()
    for block in notebook.current_version.notebook_lineage().blocks:
        for statement in block.analysis.sql:
            statements.append(statement.sql.strip().rstrip(";") + ";")
            if statement.dialect:
                dialects.add(statement.dialect)
    dialect = dialects.pop() if len(dialects) == 1 else None
    return "\n\n".join(statements), dialect


LIFECYCLE_STATES = {state.value for state in LifecycleStateChange}


def _change_kinds(notebook: Notebook) -> dict[tuple[str, str], tuple[str, str]]:
    """(namespace, table) -> (write kind, URN of the new name for a rename), from the
    notebook's changes edges; the first block's kind when several change one table."""
    found: dict[tuple[str, str], tuple[str, str]] = {}
    edges = LineageEdge.objects.filter(notebook=notebook, kind=EdgeKind.CHANGES).order_by("pk")
    for target, detail, via in edges.values_list("target_urn", "detail", "via_urn"):
        table = parse_urn(target)
        found.setdefault((table.warehouse, table.table), (detail, via))
    return found


def notebook_event(notebook: Notebook) -> JobEvent:
    """The job event of one notebook's current version."""
    inputs: dict[tuple[str, str], None] = {}
    outputs: dict[tuple[str, str], None] = {}
    uses = NotebookTable.objects.filter(notebook=notebook).order_by("pk")
    for warehouse, name, is_read, is_write in uses.values_list(
        "table__warehouse", "table__name", "is_read", "is_write"
    ):
        if is_read:
            inputs[(warehouse, name)] = None
        if is_write:
            outputs[(warehouse, name)] = None
    fields: dict[tuple[str, str], dict[str, list[InputField]]] = defaultdict(dict)
    edges = LineageEdge.objects.filter(notebook=notebook, kind=EdgeKind.COLUMN).order_by("pk")
    for source, target, detail in edges.values_list("source_urn", "target_urn", "detail"):
        namespace, table, field = _column(source)
        out_namespace, out_table, out_field = _column(target)
        kind_of_change, subtype = TRANSFORMATIONS.get(detail, ("INDIRECT", None))
        fields[(out_namespace, out_table)].setdefault(out_field, []).append(
            InputField(
                namespace=namespace,
                name=table,
                field=field,
                transformations=[Transformation(type=kind_of_change, subtype=subtype)],
            )
        )
    kinds = _change_kinds(notebook)
    for namespace, name in kinds:
        outputs.setdefault((namespace, name), None)  # changed without data flow: still an output
    sql, dialect = _sql_of(notebook)
    connection = connection_for(notebook.workspace)
    job_facets = {
        "jobType": JobTypeJobFacet(
            processingType="BATCH", integration="TRIBUTARY", jobType="NOTEBOOK", producer=PRODUCER
        ),
        "documentation": DocumentationJobFacet(description=notebook.title, producer=PRODUCER),
    }
    if sql:
        job_facets["sql"] = SQLJobFacet(
            query=sql, dialect=dialect or connection.dialect or None, producer=PRODUCER
        )
    output_datasets = []
    for namespace, name in outputs:
        facets = {}
        if fields.get((namespace, name)):
            facets["columnLineage"] = ColumnLineageDatasetFacet(
                fields={
                    column: Fields(inputFields=sources)
                    for column, sources in sorted(fields[(namespace, name)].items())
                },
                producer=PRODUCER,
            )
        change = kinds.get((namespace, name))
        if change is not None and change[0].upper() in LIFECYCLE_STATES:
            state, previous = change[0].upper(), None
            if state == "RENAME" and change[1]:  # the output is the old name, renamed
                new = parse_urn(change[1])
                previous = PreviousIdentifier(namespace=namespace, name=name)
                namespace, name = new.warehouse, new.table
            facets["lifecycleStateChange"] = LifecycleStateChangeDatasetFacet(
                lifecycleStateChange=LifecycleStateChange(state),
                previousIdentifier=previous,
                producer=PRODUCER,
            )
        output_datasets.append(OutputDataset(namespace=namespace, name=name, facets=facets))
    return JobEvent(
        eventTime=notebook.current_version.created_at.isoformat(),
        producer=PRODUCER,
        job=Job(
            namespace=job_namespace(notebook.workspace.slug),
            name=notebook.path,
            facets=job_facets,
        ),
        inputs=[InputDataset(namespace=ns, name=name) for ns, name in inputs],
        outputs=output_datasets,
    )


def notebook_events(workspace: Workspace | None = None) -> Iterator[JobEvent]:
    """One job event per current notebook (of one workspace, or of all)."""
    notebooks = Notebook.objects.filter(
        is_deleted=False, current_version__isnull=False
    ).select_related("workspace", "current_version")
    if workspace is not None:
        notebooks = notebooks.filter(workspace=workspace)
    for notebook in notebooks.order_by("workspace__slug", "path").iterator():
        yield notebook_event(notebook)


def to_json_line(event: JobEvent) -> str:
    """One event as one line of JSON, the way the OpenLineage client serializes it."""
    return Serde.to_json(event)
