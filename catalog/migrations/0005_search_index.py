"""The full-text side of the search index, per database vendor.

PostgreSQL: a weighted tsvector (name A, description B, columns C, body D) with a GIN
index, and pg_trgm's trigram index on the name for typos, in catalog_search_pg.
SQLite: an external-content FTS5 table kept in step with catalog_searchdocument by
triggers, and an fts5vocab view of its terms for spelling correction.
"""

from django.db import migrations

# The full-text side lives in a narrow table of its own, kept in step by a trigger: a
# search visits a few thousand matching rows, and rows without the long texts are ten to
# a page instead of three, which is most of a query's time at 100,000 assets.
_PG_VECTOR = """
    setweight(to_tsvector('english', coalesce(NEW.name_text, '')), 'A')
    || setweight(to_tsvector('english', coalesce(NEW.doc_text, '')), 'B')
    || setweight(to_tsvector('english', coalesce(NEW.columns_text, '')), 'C')
    || setweight(to_tsvector('english', coalesce(NEW.body, '')), 'D')
"""
PG_FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    """
    CREATE TABLE catalog_search_pg (
        id bigint PRIMARY KEY,
        workspace_id bigint NOT NULL,
        kind varchar(16) NOT NULL,
        object_id bigint NOT NULL,
        owner varchar(254) NOT NULL,
        tags text NOT NULL,
        keys text NOT NULL,
        boost double precision NOT NULL,
        name varchar(1024) NOT NULL,
        name_text text NOT NULL,
        search_vector tsvector NOT NULL
    )
    """,
    f"""
    CREATE FUNCTION catalog_search_pg_sync() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM catalog_search_pg WHERE id = OLD.id;
            RETURN OLD;
        END IF;
        INSERT INTO catalog_search_pg (id, workspace_id, kind, object_id, owner, tags, keys,
                                       boost, name, name_text, search_vector)
        VALUES (NEW.id, NEW.workspace_id, NEW.kind, NEW.object_id, NEW.owner, NEW.tags,
                NEW.keys, NEW.boost, NEW.name, NEW.name_text, {_PG_VECTOR})
        ON CONFLICT (id) DO UPDATE SET
            workspace_id = EXCLUDED.workspace_id, kind = EXCLUDED.kind,
            object_id = EXCLUDED.object_id, owner = EXCLUDED.owner, tags = EXCLUDED.tags,
            keys = EXCLUDED.keys, boost = EXCLUDED.boost, name = EXCLUDED.name,
            name_text = EXCLUDED.name_text, search_vector = EXCLUDED.search_vector;
        RETURN NEW;
    END $$
    """,
    """
    CREATE FUNCTION catalog_search_pg_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        TRUNCATE catalog_search_pg;
        RETURN NULL;
    END $$
    """,
    "CREATE TRIGGER catalog_search_pg_sync AFTER INSERT OR UPDATE OR DELETE "
    "ON catalog_searchdocument FOR EACH ROW EXECUTE FUNCTION catalog_search_pg_sync()",
    "CREATE TRIGGER catalog_search_pg_truncate AFTER TRUNCATE "
    "ON catalog_searchdocument FOR EACH STATEMENT EXECUTE FUNCTION catalog_search_pg_truncate()",
    "CREATE INDEX catalog_search_vector_gin ON catalog_search_pg USING gin (search_vector)",
    "CREATE INDEX catalog_search_name_trgm ON catalog_search_pg USING gin (name_text gin_trgm_ops)",
    "CREATE INDEX catalog_search_pg_workspace ON catalog_search_pg (workspace_id)",
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS catalog_search_pg_truncate ON catalog_searchdocument",
    "DROP TRIGGER IF EXISTS catalog_search_pg_sync ON catalog_searchdocument",
    "DROP FUNCTION IF EXISTS catalog_search_pg_truncate()",
    "DROP FUNCTION IF EXISTS catalog_search_pg_sync()",
    "DROP TABLE IF EXISTS catalog_search_pg",
]

_COLUMNS = "name_text, doc_text, columns_text, body"
_NEW = "new.name_text, new.doc_text, new.columns_text, new.body"
_OLD = "old.name_text, old.doc_text, old.columns_text, old.body"
SQLITE_FORWARD = [
    f"""
    CREATE VIRTUAL TABLE catalog_search_fts USING fts5(
        {_COLUMNS},
        content='catalog_searchdocument', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2', prefix='2 3'
    )
    """,
    "CREATE VIRTUAL TABLE catalog_search_vocab USING fts5vocab(catalog_search_fts, 'row')",
    f"""
    CREATE TRIGGER catalog_search_ai AFTER INSERT ON catalog_searchdocument BEGIN
        INSERT INTO catalog_search_fts(rowid, {_COLUMNS}) VALUES (new.id, {_NEW});
    END
    """,
    f"""
    CREATE TRIGGER catalog_search_ad AFTER DELETE ON catalog_searchdocument BEGIN
        INSERT INTO catalog_search_fts(catalog_search_fts, rowid, {_COLUMNS})
        VALUES ('delete', old.id, {_OLD});
    END
    """,
    f"""
    CREATE TRIGGER catalog_search_au AFTER UPDATE ON catalog_searchdocument BEGIN
        INSERT INTO catalog_search_fts(catalog_search_fts, rowid, {_COLUMNS})
        VALUES ('delete', old.id, {_OLD});
        INSERT INTO catalog_search_fts(rowid, {_COLUMNS}) VALUES (new.id, {_NEW});
    END
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS catalog_search_au",
    "DROP TRIGGER IF EXISTS catalog_search_ad",
    "DROP TRIGGER IF EXISTS catalog_search_ai",
    "DROP TABLE IF EXISTS catalog_search_vocab",
    "DROP TABLE IF EXISTS catalog_search_fts",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}.get(vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}.get(vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_knowledge_base")]

    operations = [migrations.RunPython(forward, backward)]
