"""SQL sqlglot cannot parse: a token scan finds the tables, with low confidence; nothing raises."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lineage.analysis.sql import column_lineage, split_statements, table_lineage
from lineage.analysis.sql_fallback import has_lineage_words, scan_tables, split_text


@pytest.mark.parametrize(
    ("sql", "reads", "writes"),
    [
        ("SELECT * FROM a JOIN b ON a.id = b.id WHERE x ~~~ 1", ["a", "b"], []),
        ("INSERT INTO db.t SELECT * FROM s WHERE ??? ", ["s"], ["db.t"]),
        ("CREATE TABLE IF NOT EXISTS x.y AS SELECT * FROM z ;;; junk", ["z"], ["x.y"]),
        ("UPDATE t SET a = 1 FROM s WHERE !!", ["s"], ["t"]),
        ("DELETE FROM logs WHERE id IN (SELECT id FROM old_logs) ###", ["old_logs"], ["logs"]),
        ("MERGE INTO dim USING stg ON ??? WHEN MATCHED THEN UPDATE SET v = 1", ["stg"], ["dim"]),
        ("WITH c AS (SELECT * FROM src) SELECT * FROM c, other o WHERE ?", ["src", "other"], []),
        ("SELECT * FROM a, b x, c AS y ORDER BY ???", ["a", "b", "c"], []),
        ('SELECT * FROM "Quoted"."Name" WHERE @@@', ["Quoted.Name"], []),
        ("SELECT * FROM `proj`.`ds`.`t` WHERE @@@", ["proj.ds.t"], []),
        ("SELECT * FROM [dbo].[T] WHERE @@@", ["dbo.T"], []),
        ("SELECT * FROM generate_series(1, 3) g, real_table WHERE @@@", ["real_table"], []),
        ("SELECT * FROM (SELECT * FROM inner_t) q WHERE @@@", ["inner_t"], []),
        ("TRUNCATE TABLE stage.t @@@", [], ["stage.t"]),
        ("DROP TABLE IF EXISTS old.t @@@", [], ["old.t"]),
        ("INSERT OVERWRITE TABLE dw.f SELECT * FROM ods.f @@@", ["ods.f"], ["dw.f"]),
        ("INSERT OVERWRITE DIRECTORY '/out' USING parquet SELECT * FROM t", ["t"], ["/out"]),
        (
            "SELECT * FROM {{ ref('orders') }} JOIN {{ source('app', 'users') }}",
            ["orders", "app.users"],
            [],
        ),
        ("SELECT * FROM {{ some_table }} JOIN known USING (id)", ["known"], []),
        ("SELECT * FROM 'data/file.parquet' @@@", ["data/file.parquet"], []),
        ("CREATE TABLE a LIKE b @@@", ["b"], ["a"]),
    ],
)
def test_the_scan_finds_tables_by_keyword(sql: str, reads: list[str], writes: list[str]):
    result = scan_tables(sql)

    assert result.reads == reads
    assert result.writes == writes


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM a WHERE x = ~~~ AND FROM",
        "INSERT INTO t SELECT FROM WHERE",
        "SELECT * FROM {{ ref('x') }}",
        "SELECT * FROM t WHERE a = {% if x %}1{% endif %}",
        "this is not sql",
        "SELECT * FROM t WHERE a = 'unterminated",
    ],
)
def test_unparseable_sql_gives_low_confidence_and_an_error(sql: str):
    result = table_lineage(sql)

    assert result.confidence == "low"
    assert result.error


def test_jinja_leftovers_are_scanned():
    result = table_lineage("INSERT INTO mart.t SELECT * FROM {{ ref('stg') }} s JOIN dim d ON TRUE")

    assert result.sources == {"stg", "dim"}
    assert result.targets == {"mart.t"}
    assert result.confidence == "low"


def test_one_bad_statement_does_not_lose_the_good_ones():
    script = (
        "CREATE TABLE a AS SELECT * FROM raw;\n"
        "SELECT * FROM a WHERE x = ~~~ nonsense ~~~;\n"
        "INSERT INTO b SELECT * FROM a;"
    )

    result = table_lineage(script)

    assert result.sources == {"raw"}
    assert result.targets == {"a", "b"}
    assert result.intermediates == {"a"}
    assert result.confidence == "low"
    assert "nonsense" in (result.error or "")


def test_the_error_counts_every_failed_statement():
    result = table_lineage("SELECT ~~~ FROM a; SELECT ~~~ FROM b; SELECT 1")

    assert result.error is not None
    assert result.error.endswith("(and 1 more)")


def test_an_unterminated_quote_still_scans_the_other_statements():
    result = table_lineage("INSERT INTO a SELECT * FROM b; SELECT 'oops FROM c")

    assert {"b"} <= result.sources
    assert result.targets == {"a"}
    assert result.confidence == "low"


@pytest.mark.parametrize(
    "text", ["", "   \n\t", "-- a comment", "/* block */", ";;;", "-- a\n-- b\n;"]
)
def test_nothing_to_analyse_is_empty_and_confident(text: str):
    result = table_lineage(text)

    assert (result.sources, result.targets, result.intermediates) == (set(), set(), set())
    assert result.confidence == "high"
    assert result.error is None


def test_none_is_treated_as_empty():
    assert table_lineage(None).sources == frozenset()  # type: ignore[arg-type]


def test_bytes_are_decoded():
    result = table_lineage(b"INSERT INTO a SELECT * FROM b")  # type: ignore[arg-type]

    assert (result.sources, result.targets) == ({"b"}, {"a"})


def test_a_dialect_that_is_not_a_name_is_ignored():
    result = table_lineage("SELECT * FROM t", ["postgres"])  # type: ignore[arg-type]

    assert result.sources == {"t"}


def test_procedural_noise_inside_a_block_keeps_confidence():
    sql = (
        "CREATE OR REPLACE PROCEDURE p() RETURNS STRING LANGUAGE SQL AS $$ BEGIN "
        "LET n := 1; INSERT INTO t SELECT * FROM s; RETURN 'done'; END $$"
    )

    result = table_lineage(sql, "snowflake")

    assert (result.sources, result.targets) == ({"s"}, {"t"})
    assert result.confidence == "high"


def test_split_text_ignores_semicolons_in_strings_comments_and_quotes():
    sql = "SELECT ';' FROM a; -- x; y\nSELECT \"b;c\" FROM `d;e`; /* ; */ SELECT 3"

    assert split_text(sql) == [
        "SELECT ';' FROM a",
        '-- x; y\nSELECT "b;c" FROM `d;e`',
        "/* ; */ SELECT 3",
    ]


def test_lineage_words_are_recognised_only_outside_strings():
    assert has_lineage_words("SELECT 'from' AS x") is False
    assert has_lineage_words("SELECT x FROM t") is True


_WORDS = ["SELECT ", "FROM ", "JOIN ", "INSERT ", "INTO ", "WITH ", " AS ", "BEGIN ", "END "]
SQLISH = st.lists(
    st.sampled_from([*"abcxyz_.,;()'\"`[]{}%#@*=<>-/ \n", *_WORDS, "GO\n"]), max_size=40
).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(SQLISH, st.sampled_from([None, "postgres", "tsql", "spark", "snowflake", "bigquery"]))
def test_no_input_makes_the_sql_analysis_raise(text: str, dialect: str | None):
    result = table_lineage(text, dialect)
    split = split_statements(text, dialect)
    edges = column_lineage(text, dialect)

    assert result.confidence in ("high", "low")
    assert all(isinstance(s, str) and s for s in split)
    assert isinstance(edges, list)
