"""The vocabulary of the PostgreSQL search index: every lexeme in catalog_search_pg.

Search asks it which words of a query the index knows, and corrects the others against
it by trigram distance (the SQLite side has fts5vocab for the same). A statement-level
trigger adds the lexemes of each insert or update in one pass over its transition
table, so a bulk insert of 500 documents costs one INSERT here, not 500. Lexemes are
never removed when documents go (a stale lexeme at worst lets a query skip correction
and fall back to any-word matching); TRUNCATE of the index empties it.
"""

from django.db import migrations

_ADD_LEXEMES = """
    CREATE FUNCTION catalog_search_lexeme_add() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO catalog_search_lexeme (lexeme)
        SELECT fresh.lexeme FROM (
            SELECT DISTINCT l.lexeme
            FROM added JOIN catalog_search_pg AS p ON p.id = added.id,
                 unnest(tsvector_to_array(p.search_vector)) AS l(lexeme)
        ) AS fresh
        WHERE NOT EXISTS (SELECT FROM catalog_search_lexeme AS v WHERE v.lexeme = fresh.lexeme)
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    END $$
"""
# Migration 0005's, with the vocabulary emptied too.
_TRUNCATE = """
    CREATE OR REPLACE FUNCTION catalog_search_pg_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        TRUNCATE catalog_search_pg;
        {also}
        RETURN NULL;
    END $$
"""
# The predicate of the partial trigram index; catalog/search/query.py repeats it to use it.
WORD_LEXEME = "lexeme ~ '^[[:alnum:]]+$'"
PG_FORWARD = [
    # "C" collation: the btree serves `lexeme LIKE 'prefix%'` for the is-it-known check.
    'CREATE TABLE catalog_search_lexeme (lexeme text COLLATE "C" PRIMARY KEY)',
    # Nearest by trigram distance (KNN), over the plain words only: a query's words are
    # letters and digits, and the "analytics.billing" tokens of names would crowd them out.
    "CREATE INDEX catalog_search_lexeme_trgm ON catalog_search_lexeme "
    f"USING gist (lexeme gist_trgm_ops) WHERE {WORD_LEXEME}",
    "INSERT INTO catalog_search_lexeme (lexeme) SELECT DISTINCT l.lexeme "
    "FROM catalog_search_pg, unnest(tsvector_to_array(search_vector)) AS l(lexeme)",
    _ADD_LEXEMES,
    # The row trigger of 0005 fills catalog_search_pg first: statement-level AFTER
    # triggers run after the row-level ones of the same statement.
    "CREATE TRIGGER catalog_search_lexeme_insert AFTER INSERT ON catalog_searchdocument "
    "REFERENCING NEW TABLE AS added FOR EACH STATEMENT "
    "EXECUTE FUNCTION catalog_search_lexeme_add()",
    "CREATE TRIGGER catalog_search_lexeme_update AFTER UPDATE ON catalog_searchdocument "
    "REFERENCING NEW TABLE AS added FOR EACH STATEMENT "
    "EXECUTE FUNCTION catalog_search_lexeme_add()",
    _TRUNCATE.format(also="TRUNCATE catalog_search_lexeme;"),
    # Typos were matched against names with this index; search no longer reads it, and
    # every write to the index paid for it.
    "DROP INDEX IF EXISTS catalog_search_name_trgm",
]
PG_BACKWARD = [
    "CREATE INDEX IF NOT EXISTS catalog_search_name_trgm ON catalog_search_pg "
    "USING gin (name_text gin_trgm_ops)",
    _TRUNCATE.format(also=""),
    "DROP TRIGGER IF EXISTS catalog_search_lexeme_update ON catalog_searchdocument",
    "DROP TRIGGER IF EXISTS catalog_search_lexeme_insert ON catalog_searchdocument",
    "DROP FUNCTION IF EXISTS catalog_search_lexeme_add()",
    "DROP TABLE IF EXISTS catalog_search_lexeme",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in PG_FORWARD:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in PG_BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0006_app_run_permission")]

    operations = [migrations.RunPython(forward, backward)]
