"""One stored analysis per notebook version: `NotebookVersion.lineage` and `Block.lineage`
(a `NotebookLineage` split by block) replace the version's reads/writes/column_edges/
runs_notebooks/edges and the shared `BlockAnalysis` rows; `NotebookTable.blocks` records
which blocks use each table, from which the lineage graph derives its table edges.

The data migration rebuilds each version's analysis from what was stored (the analyser is
not run again on Python cells), and the table uses of every current version.
"""

from django.db import migrations, models

from catalog.warehouse.tables import UNCONFIGURED, TableResolver, Unconfigured
from lineage.analysis.block_facts import created_tables, registered_names, table_comments
from lineage.analysis.notebook import BlockFacts, assemble_notebook, block_key, block_to_json
from lineage.analysis.types import CodeAnalysis, ColumnEdge, DagBlock, SqlStatement


def _facts(block: DagBlock, data: dict) -> BlockFacts:
    analysis = CodeAnalysis(
        defines=frozenset(data.get("defines", ())),
        uses=frozenset(data.get("uses", ())),
        mutates=frozenset(data.get("mutates", ())),
        imports=frozenset(data.get("imports", ())),
        reads=frozenset(data.get("reads", ())),
        writes=frozenset(data.get("writes", ())),
        sql=tuple(
            SqlStatement(s["sql"], s.get("line", 1), s.get("role", ""), s.get("dialect"))
            for s in data.get("sql", ())
        ),
        runs=tuple(data.get("runs", ())),
        confidence=data.get("confidence") or "high",
        error=data.get("error"),
    )
    return BlockFacts(
        key=block_key(block),
        analysis=analysis,
        columns=tuple(
            ColumnEdge(c["source"], c["target"], c.get("transformation", "identity"))
            for c in data.get("columns", ())
        ),
        creates=created_tables(analysis),
        registers=registered_names(block.source, analysis),
        comments=tuple(
            comment
            for s in analysis.sql
            for comment in table_comments(s.sql, s.dialect or block.dialect)
        ),
    )


def forward(apps, schema_editor):
    Version = apps.get_model("catalog", "NotebookVersion")
    Block = apps.get_model("catalog", "Block")
    Notebook = apps.get_model("catalog", "Notebook")
    NotebookTable = apps.get_model("catalog", "NotebookTable")
    Connection = apps.get_model("catalog", "WarehouseConnection")
    current_ids = set(
        Notebook.objects.filter(current_version__isnull=False).values_list(
            "current_version_id", flat=True
        )
    )
    current: dict[int, object] = {}
    for version in Version.objects.iterator():
        rows = list(Block.objects.filter(version=version).order_by("position"))
        blocks = [
            DagBlock(
                b.block_id,
                b.kind,
                b.source,
                b.variable or None,
                (b.metadata or {}).get("sql_dialect") or None,
            )
            for b in rows
        ]
        lineage = assemble_notebook(
            blocks,
            [
                _facts(block, row.analysis.data if row.analysis_id else {})
                for block, row in zip(blocks, rows, strict=True)
            ],
        )
        version.lineage = lineage.to_json(blocks=False)
        version.save(update_fields=["lineage"])
        for row, found in zip(rows, lineage.blocks, strict=True):
            row.lineage = block_to_json(found)
        Block.objects.bulk_update(rows, ["lineage"])
        if version.pk in current_ids:
            current[version.pk] = lineage
    for notebook in Notebook.objects.filter(current_version__isnull=False).select_related(
        "workspace"
    ):
        lineage = current.get(notebook.current_version_id)
        connection = (
            Connection.objects.filter(workspace=notebook.workspace_id)
            .order_by("-is_default", "name")
            .first()
        ) or Unconfigured(f"{UNCONFIGURED}{notebook.workspace.slug}")
        resolve = TableResolver(connection)
        uses = {
            (u.table.warehouse, u.table.name): u
            for u in NotebookTable.objects.filter(notebook=notebook).select_related("table")
        }
        for block in lineage.blocks:
            roles = [
                (n, "reads_back" if n in block.reads_back else "reads") for n in sorted(block.reads)
            ] + [(n, "writes") for n in sorted(block.writes)]
            for name, role in roles:
                use = uses.get(resolve(name))
                if use is not None and [block.id, role] not in use.blocks:
                    use.blocks.append([block.id, role])
        NotebookTable.objects.bulk_update(list(uses.values()), ["blocks"])


def backward(apps, schema_editor):
    Version = apps.get_model("catalog", "NotebookVersion")
    Block = apps.get_model("catalog", "Block")
    Analysis = apps.get_model("catalog", "BlockAnalysis")
    for version in Version.objects.iterator():
        data = version.lineage or {}
        version.reads = list(data.get("reads", ()))
        version.writes = list(data.get("writes", ()))
        version.edges = [
            [e["source"], e["target"], sorted(e["names"])] for e in data.get("edges", ())
        ]
        version.save(update_fields=["reads", "writes", "edges"])
    for block in Block.objects.iterator():
        facts = (block.lineage or {}).get("facts") or {}
        key = facts.get("key") or f"migrated-{block.pk}"
        Analysis.objects.get_or_create(
            key=key,
            defaults={"data": {**facts.get("analysis", {}), "columns": facts.get("columns", [])}},
        )
        Block.objects.filter(pk=block.pk).update(analysis_id=key)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0007_search_lexemes"),
    ]

    operations = [
        migrations.AddField(
            model_name="notebookversion",
            name="lineage",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="block",
            name="lineage",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="notebooktable",
            name="blocks",
            field=models.JSONField(blank=True, default=list),
        ),
        # The old analysis key may stay unset while the data moves back (backward).
        migrations.AlterField(
            model_name="block",
            name="analysis",
            field=models.ForeignKey(
                db_column="analysis_key",
                null=True,
                on_delete=models.deletion.PROTECT,
                related_name="+",
                to="catalog.blockanalysis",
            ),
        ),
        migrations.RunPython(forward, backward),
        migrations.RemoveField(model_name="block", name="analysis"),
        migrations.DeleteModel(name="BlockAnalysis"),
        migrations.RemoveField(model_name="notebookversion", name="reads"),
        migrations.RemoveField(model_name="notebookversion", name="writes"),
        migrations.RemoveField(model_name="notebookversion", name="column_edges"),
        migrations.RemoveField(model_name="notebookversion", name="runs_notebooks"),
        migrations.RemoveField(model_name="notebookversion", name="edges"),
    ]
