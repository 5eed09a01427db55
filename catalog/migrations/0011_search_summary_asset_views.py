"""Snippets from descriptions (SearchDocument.summary) and recently viewed assets.

The summary column is added with plain ALTER TABLE: Django would rebuild the SQLite table
for a NOT NULL column with a default, and that drops the full-text triggers of 0005.

On PostgreSQL the vector now reads "raw.invoices" as two words, as SQLite's tokenizer
does: PostgreSQL's parser takes a dotted name for one host-name token, so a block's
"FROM raw.invoices" was never found by "raw invoices".
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

_DOTS = "translate(coalesce(NEW.{0}, ''), '.', ' ')"
_PG_VECTOR = f"""
    setweight(to_tsvector('english', coalesce(NEW.name_text, '')), 'A')
    || setweight(to_tsvector('english', {_DOTS.format("doc_text")}), 'B')
    || setweight(to_tsvector('english', {_DOTS.format("columns_text")}), 'C')
    || setweight(to_tsvector('english', {_DOTS.format("body")}), 'D')
"""
_PG_SYNC = """
    CREATE OR REPLACE FUNCTION catalog_search_pg_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM catalog_search_pg WHERE id = OLD.id;
            RETURN OLD;
        END IF;
        INSERT INTO catalog_search_pg (id, workspace_id, kind, object_id, owner, tags, keys,
                                       boost, name, name_text, search_vector)
        VALUES (NEW.id, NEW.workspace_id, NEW.kind, NEW.object_id, NEW.owner, NEW.tags,
                NEW.keys, NEW.boost, NEW.name, NEW.name_text, {vector})
        ON CONFLICT (id) DO UPDATE SET
            workspace_id = EXCLUDED.workspace_id, kind = EXCLUDED.kind,
            object_id = EXCLUDED.object_id, owner = EXCLUDED.owner, tags = EXCLUDED.tags,
            keys = EXCLUDED.keys, boost = EXCLUDED.boost, name = EXCLUDED.name,
            name_text = EXCLUDED.name_text, search_vector = EXCLUDED.search_vector;
        RETURN NEW;
    END $$
"""


def _pg_vectors(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_PG_SYNC.replace("{vector}", _PG_VECTOR))
        schema_editor.execute("UPDATE catalog_searchdocument SET id = id")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("catalog", "0010_app_sql_warnings"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(_pg_vectors, migrations.RunPython.noop),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="searchdocument",
                    name="summary",
                    field=models.TextField(blank=True, default=""),
                )
            ],
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE catalog_searchdocument ADD COLUMN summary text NOT NULL DEFAULT ''",
                    "ALTER TABLE catalog_searchdocument DROP COLUMN summary",
                )
            ],
        ),
        migrations.CreateModel(
            name="AssetView",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("urn", models.CharField(max_length=1200)),
                ("kind", models.CharField(max_length=16)),
                ("name", models.CharField(max_length=1024)),
                ("url", models.CharField(max_length=1200)),
                ("views", models.PositiveIntegerField(default=1)),
                ("viewed_at", models.DateTimeField()),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "workspace",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="accounts.workspace",
                    ),
                ),
            ],
            options={
                "indexes": [
                    models.Index(fields=["user", "-viewed_at"], name="assetview_recent"),
                    models.Index(fields=["urn"], name="assetview_urn"),
                ],
                "constraints": [
                    models.UniqueConstraint(fields=("user", "urn"), name="one_view_per_asset")
                ],
            },
        ),
    ]
