from __future__ import annotations

from rest_framework import serializers

from accounts.models import Workspace
from catalog.models import Block, Notebook
from lineage.analysis.serial import to_json


class WorkspaceSerializer(serializers.ModelSerializer):
    urn = serializers.CharField(read_only=True)
    notebook_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Workspace
        fields = ["slug", "name", "description", "urn", "notebook_count"]


class NotebookSerializer(serializers.ModelSerializer):
    urn = serializers.CharField(read_only=True)
    workspace = serializers.CharField(source="workspace.slug", read_only=True)
    version = serializers.IntegerField(source="current_version.number", default=None)
    format = serializers.CharField(source="current_version.format", default=None)
    content_hash = serializers.CharField(source="current_version.content_hash", default=None)
    reads = serializers.JSONField(source="current_version.reads", default=list)
    writes = serializers.JSONField(source="current_version.writes", default=list)

    class Meta:
        model = Notebook
        fields = [
            "id",
            "urn",
            "workspace",
            "path",
            "title",
            "version",
            "format",
            "content_hash",
            "is_deleted",
            "updated_at",
            "reads",
            "writes",
        ]


class BlockSerializer(serializers.ModelSerializer):
    id = serializers.CharField(source="block_id")
    urn = serializers.SerializerMethodField()
    analysis = serializers.SerializerMethodField()

    class Meta:
        model = Block
        fields = [
            "id",
            "urn",
            "position",
            "kind",
            "source",
            "variable",
            "metadata",
            "execution_count",
            "analysis",
        ]

    def get_urn(self, block: Block) -> str:
        return block.urn_for(self.context["notebook"])

    def get_analysis(self, block: Block) -> dict:
        """What the analysis found in the block, names as its code writes them, and which
        of them are notebook-local (DataFrames, temporary tables)."""
        found = block.block_lineage
        return {
            **to_json(found.analysis),
            "columns": to_json(found.facts.columns),
            "creates": to_json(found.facts.creates),
            "local": to_json(found.local),
        }


class NotebookDetailSerializer(NotebookSerializer):
    """A notebook with one window of its current version's blocks (``context["page"]``, a
    `catalog.block_pages.BlockPage`) and the edges that touch them; ``blocks_next`` is the
    URL of the next window, null on the last."""

    # Read apart from the version's whole analysis (``context["reads"]``, ``["writes"]``).
    reads = serializers.SerializerMethodField()
    writes = serializers.SerializerMethodField()
    blocks = serializers.SerializerMethodField()
    edges = serializers.SerializerMethodField()
    blocks_offset = serializers.SerializerMethodField()
    blocks_limit = serializers.SerializerMethodField()
    blocks_total = serializers.SerializerMethodField()
    blocks_next = serializers.SerializerMethodField()

    class Meta(NotebookSerializer.Meta):
        fields = [
            *NotebookSerializer.Meta.fields,
            "blocks",
            "edges",
            "blocks_offset",
            "blocks_limit",
            "blocks_total",
            "blocks_next",
        ]

    def _page(self):
        return self.context.get("page")

    def get_reads(self, notebook: Notebook) -> list[str]:
        return self.context.get("reads", [])

    def get_writes(self, notebook: Notebook) -> list[str]:
        return self.context.get("writes", [])

    def get_blocks(self, notebook: Notebook) -> list[dict]:
        page = self._page()
        if page is None:
            return []
        return BlockSerializer(page.blocks, many=True, context={"notebook": notebook}).data

    def get_edges(self, notebook: Notebook) -> list[dict]:
        page = self._page()
        if page is None:
            return []
        return [{"from": src, "to": dst, "names": names} for src, dst, names in page.edges]

    def get_blocks_offset(self, notebook: Notebook) -> int:
        return self.context["offset"]

    def get_blocks_limit(self, notebook: Notebook) -> int:
        return self.context["limit"]

    def get_blocks_total(self, notebook: Notebook) -> int:
        page = self._page()
        return 0 if page is None else page.total

    def get_blocks_next(self, notebook: Notebook) -> str | None:
        page = self._page()
        if page is None or page.next_offset is None:
            return None
        url = (
            f"/api/notebooks/{notebook.pk}/"
            f"?blocks_offset={page.next_offset}&blocks_limit={page.limit}"
        )
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class UploadSerializer(serializers.Serializer):
    # Empty files reach the reader, which says clearly what is wrong with them.
    file = serializers.FileField(allow_empty_file=True)
    path = serializers.CharField(required=False, allow_blank=True, max_length=2048)


class IngestReportSerializer(serializers.Serializer):
    new = serializers.IntegerField()
    changed = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    deleted = serializers.IntegerField()
    failed = serializers.IntegerField()
    errors = serializers.ListField(child=serializers.DictField())
    notebooks = NotebookSerializer(many=True)


class IngestChunkSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    files = serializers.SerializerMethodField()
    done = serializers.IntegerField()
    status = serializers.CharField()
    attempts = serializers.IntegerField()
    counts = serializers.DictField(child=serializers.IntegerField())

    def get_files(self, chunk) -> int:
        return len(chunk.paths)


class IngestJobSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    workspace = serializers.CharField(source="workspace.slug")
    source = serializers.CharField()
    status = serializers.CharField()
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    counts = serializers.DictField(child=serializers.IntegerField())
    errors = serializers.ListField(child=serializers.DictField())
    started_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    chunks = IngestChunkSerializer(many=True)


class TableMoveSerializer(serializers.Serializer):
    """A table's new home: asked with ``workspace``, answered with ``urn`` and ``workspace``."""

    urn = serializers.CharField(read_only=True)
    workspace = serializers.SlugField()
