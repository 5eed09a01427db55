from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.db import models

from accounts.models import Workspace
from catalog.formats.model import ParsedBlock
from catalog.formats.titles import block_name
from lineage.analysis.notebook import BlockLineage, NotebookLineage, block_from_json
from urns import AssetKind, version_urn


class BlockKind(models.TextChoices):
    CODE = "code", "Code"
    SQL = "sql", "SQL"
    MARKDOWN = "markdown", "Markdown"
    INPUT = "input", "Input"
    OTHER = "other", "Other"


class Blob(models.Model):
    """The raw bytes of an ingested file, stored once per content hash."""

    sha256 = models.CharField(max_length=64, primary_key=True)
    data = models.BinaryField()
    size_bytes = models.BigIntegerField()

    def __str__(self) -> str:
        return self.sha256[:12]


class Notebook(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="notebooks")
    path = models.CharField(max_length=1024)
    # The file the notebook comes from: its path, or for one notebook of a
    # multi-notebook .deepnote project, the project file's path.
    file_path = models.CharField(max_length=1024, db_index=True)
    # The hash of that file when last ingested: an unchanged file is skipped unread.
    file_hash = models.CharField(max_length=64, blank=True)
    title = models.CharField(max_length=500)
    current_version = models.ForeignKey(
        "NotebookVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_deleted = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["workspace__slug", "path"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "path"], name="one_notebook_per_path")
        ]
        # Declaring run_<model> makes a model shareable per object (see accounts.grants).
        permissions = [("run_notebook", "Can run notebook")]

    def __str__(self) -> str:
        return self.urn

    @property
    def urn(self) -> str:
        return AssetKind.NOTEBOOK.urn(self.workspace.slug, self.path)


class NotebookVersion(models.Model):
    notebook = models.ForeignKey(Notebook, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    # content_hash identifies this notebook's content; file_hash the whole file it
    # came from (they differ for a multi-notebook .deepnote project).
    content_hash = models.CharField(max_length=64)
    file_hash = models.CharField(max_length=64, db_index=True)
    blob = models.ForeignKey(Blob, on_delete=models.PROTECT, related_name="+")
    format = models.CharField(max_length=32)
    format_version = models.CharField(max_length=16, blank=True)
    language = models.CharField(max_length=32, blank=True)
    source = models.CharField(max_length=1024, help_text="Where the file came from")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The notebook's analysis without its blocks (`NotebookLineage.to_json(blocks=False)`):
    # the block DAG, the notebook-local names, the tables it reads, writes and creates.
    # Each block keeps its own part (`Block.lineage`), so a page of blocks reads only those.
    lineage = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["notebook", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["notebook", "number"], name="one_version_number")
        ]

    def __str__(self) -> str:
        return self.urn

    @property
    def urn(self) -> str:
        return version_urn(self.notebook.urn, self.number)

    @cached_property
    def summary(self) -> NotebookLineage:
        """The notebook-level analysis (its ``blocks`` left empty: see `notebook_lineage`)."""
        return NotebookLineage.from_json(self.lineage, blocks=())

    def notebook_lineage(self) -> NotebookLineage:
        """The whole analysis, with every block's part read from the blocks."""
        rows = self.blocks.order_by("position").values_list("lineage", flat=True)
        return NotebookLineage.from_json(self.lineage, blocks=list(rows))

    @property
    def reads(self) -> list[str]:
        """Warehouse tables and files the version reads from outside, as its code names them."""
        return list(self.lineage.get("reads", ()))

    @property
    def writes(self) -> list[str]:
        return list(self.lineage.get("writes", ()))


class Block(models.Model):
    version = models.ForeignKey(NotebookVersion, on_delete=models.CASCADE, related_name="blocks")
    position = models.PositiveIntegerField()
    block_id = models.CharField(max_length=128)
    kind = models.CharField(max_length=16, choices=BlockKind.choices)
    source = models.TextField(blank=True)
    variable = models.CharField(max_length=255, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    outputs = models.JSONField(default=list, blank=True)
    execution_count = models.IntegerField(null=True, blank=True)
    # The block's part of its version's analysis (`BlockLineage.to_json()`): what its text
    # says, keyed by content so that an unchanged block is not analysed again, and which
    # of the names it reads and writes are notebook-local.
    lineage = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["version", "position"]
        constraints = [
            models.UniqueConstraint(fields=["version", "position"], name="one_block_per_position"),
            models.UniqueConstraint(fields=["version", "block_id"], name="unique_block_id"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} block {self.block_id}"

    @cached_property
    def block_lineage(self) -> BlockLineage:
        return block_from_json(self.lineage)

    @property
    def display_name(self) -> str:
        """What the block is (its variable, first definition, first markdown line or
        place), never its id."""
        return block_name(
            self.kind,
            variable=self.variable,
            defines=self.block_lineage.analysis.defines,
            source=self.source,
            position=self.position,
        )

    def as_parsed(self) -> ParsedBlock:
        """The block as a reader gave it, for what analyses and harvests blocks."""
        return ParsedBlock(
            id=self.block_id,
            kind=self.kind,
            source=self.source,
            variable=self.variable or None,
            metadata=self.metadata,
            outputs=tuple(self.outputs),
            execution_count=self.execution_count,
        )

    def urn_for(self, notebook: Notebook) -> str:
        return AssetKind.BLOCK.urn(notebook.workspace.slug, notebook.path, self.block_id)


class IngestStatus(models.TextChoices):
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class IngestJob(models.Model):
    """One batch ingest: its counts, the files it could not read and why.

    A large ingest is split into `IngestChunk` rows that workers process in parallel; the
    job's ``done`` counts the files stored across all of them.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="ingest_jobs")
    source = models.CharField(max_length=1024)
    status = models.CharField(
        max_length=16, choices=IngestStatus.choices, default=IngestStatus.RUNNING
    )
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"ingest {self.pk} of {self.workspace_id}"


class IngestChunk(models.Model):
    """A slice of a job's files, ingested by one worker at a time.

    ``done``, ``counts`` and ``errors`` move in the same transaction as the notebooks
    they count, so a worker killed mid-chunk leaves them exactly at what was stored, and
    the retried chunk goes on from there.
    """

    workspace_lookup = "job__workspace"

    job = models.ForeignKey(IngestJob, on_delete=models.CASCADE, related_name="chunks")
    index = models.PositiveIntegerField()
    paths = models.JSONField(default=list)  # the chunk's files, relative to the job's folder
    status = models.CharField(
        max_length=16, choices=IngestStatus.choices, default=IngestStatus.RUNNING
    )
    done = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # Who runs it now ("host:pid"), so that an operator can tell a stuck worker.
    worker = models.CharField(max_length=255, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["job", "index"]
        constraints = [models.UniqueConstraint(fields=["job", "index"], name="one_chunk_per_index")]

    def __str__(self) -> str:
        return f"chunk {self.index} of ingest {self.job_id}"


class WarehouseEngine(models.TextChoices):
    DUCKDB = "duckdb", "DuckDB"
    POSTGRES = "postgres", "PostgreSQL"
    OTHER = "other", "Other"


class WarehouseConnection(models.Model):
    """What a workspace's SQL means: which warehouse, and its default database and schema.

    Two workspaces whose connections name the same ``warehouse`` meet at the same
    tables; that is what lets lineage cross workspaces. Secrets are never stored
    here: ``password_env`` names the environment variable that holds one.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="connections")
    name = models.CharField(max_length=100)
    engine = models.CharField(max_length=16, choices=WarehouseEngine.choices)
    dialect = models.CharField(max_length=32, help_text="sqlglot dialect name")
    # The warehouse's identity, the namespace of its table URNs: e.g. duckdb://demo,
    # postgres://warehouse.internal:5432/analytics.
    warehouse = models.CharField(max_length=255)
    default_database = models.CharField(max_length=255, blank=True)
    default_schema = models.CharField(max_length=255, blank=True)
    # A DuckDB file path or a PostgreSQL DSN without its password.
    location = models.CharField(max_length=1024, blank=True)
    password_env = models.CharField(max_length=100, blank=True)
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["workspace__slug", "name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="one_connection_name")
        ]

    def __str__(self) -> str:
        return f"{self.workspace.slug}/{self.name} -> {self.warehouse}"


class DocumentedAsset(models.Model):
    """Documentation every asset carries: what it is, who owns it, how it is tagged."""

    description = models.TextField(blank=True)
    owner_email = models.EmailField(blank=True)
    tags = models.JSONField(default=list, blank=True)

    class Meta:
        abstract = True


class Table(DocumentedAsset):
    """A table (or view, or file) identified by its warehouse and fully qualified name."""

    class Kind(models.TextChoices):
        TABLE = "table", "Table"
        VIEW = "view", "View"
        FILE = "file", "File"

    # Seen beyond its workspace (see accounts.access): its name by whoever may see a
    # notebook that reads or writes it; its details by whoever may see the notebook of its
    # home workspace that defines it.
    named_through = "notebook_uses__notebook"
    detailed_through = "defined_by"

    warehouse = models.CharField(max_length=255)
    name = models.CharField(max_length=1024, help_text="e.g. analytics.billing_daily")
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.TABLE)
    # The workspace that defines the table (writes it), else the first to mention it;
    # it decides who may see the table's page.
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="tables")
    # The notebook and block that create the table (CREATE, CTAS, to_sql ...), when known.
    defined_by = models.ForeignKey(
        Notebook, null=True, blank=True, on_delete=models.SET_NULL, related_name="defined_tables"
    )
    defined_in_block = models.CharField(max_length=128, blank=True)
    # Its workspace declared it (catalog.yml) or was the first to define it: that is its
    # home for good. Another workspace's notebook writing it moves nothing; only an admin
    # of both workspaces does (catalog.assets.moves).
    home_is_settled = models.BooleanField(default=False)
    # When an introspection of the warehouse last saw the table.
    introspected_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["warehouse", "name"]
        constraints = [
            models.UniqueConstraint(fields=["warehouse", "name"], name="one_table_per_name")
        ]

    def __str__(self) -> str:
        return self.urn

    @property
    def urn(self) -> str:
        return AssetKind.TABLE.urn(self.warehouse, self.name)


class Column(models.Model):
    # A column is one of its table's details (see accounts.access).
    details_of = "table"

    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="columns")
    name = models.CharField(max_length=255)
    data_type = models.CharField(max_length=255, blank=True)
    description = models.TextField(blank=True)
    tags = models.JSONField(default=list, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["table", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["table", "name"], name="one_column_per_name")
        ]

    def __str__(self) -> str:
        return self.urn

    @property
    def urn(self) -> str:
        return AssetKind.COLUMN.urn(self.table.warehouse, self.table.name, self.name)


class Metric(DocumentedAsset):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="metrics")
    name = models.SlugField(max_length=200, help_text="e.g. weekly_active_users")
    title = models.CharField(max_length=300, blank=True)
    definition = models.TextField(blank=True, help_text="SQL or expression")
    notebook = models.ForeignKey(
        Notebook, null=True, blank=True, on_delete=models.SET_NULL, related_name="metrics"
    )
    block_id = models.CharField(max_length=128, blank=True)
    tables = models.ManyToManyField(Table, blank=True, related_name="metrics")

    class Meta:
        ordering = ["workspace__slug", "name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="one_metric_per_name")
        ]

    def __str__(self) -> str:
        return self.urn

    @property
    def urn(self) -> str:
        return AssetKind.METRIC.urn(self.workspace.slug, self.name)


class App(DocumentedAsset):
    """A published notebook that people run from its catalog page."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="apps")
    slug = models.SlugField(max_length=200)
    title = models.CharField(max_length=300)
    notebook = models.ForeignKey(Notebook, on_delete=models.CASCADE, related_name="apps")
    published_version = models.ForeignKey(
        NotebookVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Where the published version's Python formats an input into SQL text (set at publish,
    # `lineage.analysis.input_formatting`); shown to the app's editors.
    sql_warnings = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["workspace__slug", "slug"]
        constraints = [models.UniqueConstraint(fields=["workspace", "slug"], name="one_app_slug")]
        # Shareable per object: a run grant lets one person run one app (see accounts.grants).
        permissions = [("run_app", "Can run app")]

    def __str__(self) -> str:
        return self.urn

    @property
    def urn(self) -> str:
        return AssetKind.APP.urn(self.workspace.slug, self.slug)


class TableRole(models.TextChoices):
    """What one block does with a table (the lineage graph's block-level edge kinds)."""

    READS = "reads", "reads"
    READS_BACK = "reads_back", "reads back what the notebook wrote"
    WRITES = "writes", "writes"


class NotebookTable(models.Model):
    """A table a notebook's current version reads, writes or creates (replaced at each ingest).

    The one stored record of which notebook uses which table: the table pages, search
    popularity and the lineage graph's table edges (block -> table, table -> block,
    notebook -> notebook through a table) all derive from these rows.
    """

    notebook = models.ForeignKey(Notebook, on_delete=models.CASCADE, related_name="table_uses")
    table = models.ForeignKey(Table, on_delete=models.CASCADE, related_name="notebook_uses")
    is_read = models.BooleanField(default=False)
    is_write = models.BooleanField(default=False)
    is_create = models.BooleanField(default=False)
    # The first block that creates (else writes, else reads) the table.
    block_id = models.CharField(max_length=128, blank=True)
    # Every block that uses it and how: [[block id, TableRole], ...] in notebook order.
    blocks = models.JSONField(default=list, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notebook", "table"], name="one_use_per_notebook_table")
        ]

    def __str__(self) -> str:
        return f"{self.notebook_id} -> {self.table_id}"


class DocSource(models.TextChoices):
    HARVESTED = "harvested", "Harvested"
    EDIT = "edit", "Edited in the browser"


class DocRevision(models.Model):
    """One value one documentation field of one asset had, and where it came from.

    The newest ``edit`` revision of a field wins over harvested text; a harvested
    revision recorded after an edit is flagged ``needs_review`` until an editor looks.
    """

    urn = models.CharField(max_length=1200)
    field = models.CharField(max_length=64)
    value = models.TextField(blank=True)
    source = models.CharField(max_length=16, choices=DocSource.choices)
    # Where harvested text came from: a notebook block, catalog.yml, the warehouse.
    origin = models.CharField(max_length=1200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    needs_review = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["urn", "field"], name="docrevision_urn_field")]

    def __str__(self) -> str:
        return f"{self.urn} {self.field} ({self.source})"


class HarvestedDoc(models.Model):
    """What one source (a notebook, a catalog.yml, the warehouse) says about one field.

    Several sources may document the same field; the one of highest ``rank`` is the
    field's harvested text (catalog.yml > notebook markdown > DDL comments > warehouse).
    """

    urn = models.CharField(max_length=1200)
    field = models.CharField(max_length=64)
    origin = models.CharField(max_length=1200)
    rank = models.PositiveSmallIntegerField()
    value = models.TextField(blank=True)
    # The object the field belongs to, to apply the text: e.g. "catalog.table", 12.
    target_model = models.CharField(max_length=64)
    target_id = models.BigIntegerField()
    detail = models.CharField(max_length=1200, blank=True, help_text="e.g. the block")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["urn", "field", "origin"], name="one_doc_per_origin")
        ]
        indexes = [models.Index(fields=["origin"], name="harvesteddoc_origin")]

    def __str__(self) -> str:
        return f"{self.urn} {self.field} from {self.origin}"


class SchemaSnapshot(models.Model):
    """The tables and columns an introspection of a connection found, and what changed."""

    connection = models.ForeignKey(
        WarehouseConnection, on_delete=models.CASCADE, related_name="snapshots"
    )
    taken_at = models.DateTimeField(auto_now_add=True)
    # {fq table name: {"kind": "table"|"view", "columns": [[name, type], ...]}}
    tables = models.JSONField(default=dict)
    # [{"table", "change": added_table|removed_table|added_column|removed_column|type_changed,
    #   "column", "old", "new"}] against the previous snapshot.
    drift = models.JSONField(default=list)
    table_count = models.PositiveIntegerField(default=0)
    column_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-taken_at", "-id"]
        get_latest_by = "taken_at"

    def __str__(self) -> str:
        return f"snapshot {self.pk} of {self.connection_id}"


class SearchDocument(models.Model):
    """One asset in the search index.

    The full-text machinery lives outside the ORM, created by migrations 0005 and 0007
    per database and kept in step by triggers: on PostgreSQL the narrow table
    ``catalog_search_pg`` (weighted ``search_vector`` with a GIN index) and its vocabulary
    ``catalog_search_lexeme``; on SQLite the FTS5 table ``catalog_search_fts``. A migration
    that makes Django rebuild this table on SQLite must recreate its triggers.
    """

    urn = models.CharField(max_length=1200, unique=True)
    kind = models.CharField(max_length=16)
    # The object whose per-object grants apply (for notebooks; a column's table), and its
    # workspace: the permission filter runs on these two, inside the search query.
    object_id = models.BigIntegerField()
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=1024)
    url = models.CharField(max_length=1200)
    name_text = models.TextField(blank=True)  # weight A
    doc_text = models.TextField(blank=True)  # weight B: description, tags, owner
    columns_text = models.TextField(blank=True)  # weight C
    body = models.TextField(blank=True)  # weight D
    # What a result's snippet quotes: the asset's own description (a block's or metric's
    # definition is its body). Not searched: the index texts above are for matching.
    summary = models.TextField(blank=True, default="")
    # '|name|short name|...|', lower-cased: an exact match of any ranks first.
    keys = models.TextField(blank=True)
    owner = models.CharField(max_length=254, blank=True)
    tags = models.TextField(blank=True, help_text="' tag1 tag2 ', for whole-word filters")
    popularity = models.PositiveIntegerField(default=0)
    boost = models.FloatField(default=0.0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "kind"], name="searchdoc_workspace_kind"),
            models.Index(fields=["owner"], name="searchdoc_owner"),
        ]

    def __str__(self) -> str:
        return self.urn


class AssetView(models.Model):
    """That a person opened an asset's page, and when last: their "recently viewed", and
    how many people look at an asset (a use that ranks it in search)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    urn = models.CharField(max_length=1200)
    kind = models.CharField(max_length=16)
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=1024)
    url = models.CharField(max_length=1200)
    views = models.PositiveIntegerField(default=1)
    viewed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "urn"], name="one_view_per_asset")]
        indexes = [
            models.Index(fields=["user", "-viewed_at"], name="assetview_recent"),
            models.Index(fields=["urn"], name="assetview_urn"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} viewed {self.urn}"


class SearchSynonym(models.Model):
    """A search word and what else it means: ``wau`` -> ``weekly active users``."""

    term = models.CharField(max_length=100, unique=True)
    expansion = models.CharField(max_length=300)

    class Meta:
        ordering = ["term"]

    def __str__(self) -> str:
        return f"{self.term} -> {self.expansion}"
