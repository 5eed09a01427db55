"""`analyze_notebook`: one typed analysis of a whole notebook, serialised in one place."""

from __future__ import annotations

import json

from lineage.analysis import BlockFacts, NotebookLineage, analyze_notebook, block_key
from lineage.analysis.notebook import analyze_block
from lineage.analysis.types import CodeAnalysis, DagBlock

USERS_DOC = DagBlock("doc", "markdown", "## core.users\nOne row per person.")
CREATE = DagBlock("make", "sql", "CREATE TABLE core.users AS SELECT id, email FROM raw.people")
FRAME = DagBlock("frame", "code", "recent = con.sql('SELECT * FROM core.users').df()")
QUERY_FRAME = DagBlock("ask", "sql", "SELECT count(*) AS n FROM recent", variable="counts")
TEMP = DagBlock("temp", "sql", "CREATE TEMP TABLE scratch AS SELECT * FROM raw.events")
READ_TEMP = DagBlock("use", "sql", "INSERT INTO mart.daily SELECT day FROM scratch")


def test_dataframes_and_temp_tables_are_notebook_local_not_warehouse_tables():
    nb = analyze_notebook([FRAME, QUERY_FRAME, TEMP, READ_TEMP])

    assert nb.local_names >= {"recent", "scratch"}
    assert nb.reads == ("core.users", "raw.events")
    assert nb.writes == ("mart.daily",)
    assert nb.block("ask").local == frozenset({"recent"})
    assert nb.block("ask").reads == frozenset()
    assert nb.block("use").reads == frozenset()
    assert nb.block("use").analysis.reads == frozenset({"scratch"})  # the raw fact is kept


def test_a_table_read_back_after_the_notebook_wrote_it_is_no_input():
    nb = analyze_notebook([CREATE, FRAME])

    assert nb.reads == ("raw.people",)
    assert nb.block("frame").reads_back == frozenset({"core.users"})
    assert nb.block("frame").reads == frozenset({"core.users"})


def test_the_dag_names_blocks_by_id_and_what_flows_along_each_edge():
    nb = analyze_notebook([CREATE, FRAME, QUERY_FRAME])

    assert [(e.source, e.target, sorted(e.names)) for e in nb.edges] == [
        ("make", "frame", ["core.users"]),
        ("frame", "ask", ["recent"]),
    ]
    assert nb.upstream("ask") == ["make", "frame"]


def test_created_tables_know_the_markdown_block_right_above_them():
    nb = analyze_notebook([USERS_DOC, CREATE, FRAME, READ_TEMP])

    assert [(c.table, c.block_id, c.doc_block_id) for c in nb.creates] == [
        ("core.users", "make", "doc")
    ]
    # INSERT fills a table without creating it: no creation, no documentation.
    assert "mart.daily" in nb.writes


def test_column_lineage_keeps_only_edges_between_warehouse_tables():
    nb = analyze_notebook([CREATE, TEMP, READ_TEMP])

    edges = {(e.source, e.target) for e in nb.column_edges}
    assert ("raw.people.id", "core.users.id") in edges
    assert not any("scratch" in s or "scratch" in t for s, t in edges)


def test_known_facts_are_reused_instead_of_analysing_the_block_again():
    planted = BlockFacts(
        key=block_key(FRAME), analysis=CodeAnalysis(reads=frozenset({"planted.table"}))
    )

    nb = analyze_notebook([FRAME, CREATE], known={planted.key: planted})

    assert nb.block("frame").facts is planted
    assert nb.reads[0] == "planted.table"


def test_it_round_trips_through_json_whole_or_with_its_blocks_apart():
    nb = analyze_notebook([USERS_DOC, CREATE, FRAME, QUERY_FRAME, TEMP, READ_TEMP])

    whole = json.loads(json.dumps(nb.to_json()))
    apart = json.loads(json.dumps(nb.to_json(blocks=False)))
    blocks = [json.loads(json.dumps(b)) for b in whole["blocks"]]

    assert NotebookLineage.from_json(whole) == nb
    assert "blocks" not in apart
    assert NotebookLineage.from_json(apart, blocks) == nb


def test_json_stored_before_a_field_existed_reads_back_with_its_default():
    nb = analyze_notebook([CREATE])
    data = nb.to_json()
    del data["creates"]  # it made one: now it reads as if written before creations existed
    data["blocks"][0]["facts"].pop("comments", None)
    data["blocks"][0]["facts"]["analysis"].pop("mutates", None)

    back = NotebookLineage.from_json(data)

    assert back.creates == ()
    assert back.blocks[0].facts.comments == ()
    assert back.blocks[0].analysis.mutates == frozenset()
    assert back.blocks[0].analysis.reads == frozenset({"raw.people"})


def test_a_block_past_its_budget_is_marked_a_best_effort_and_the_others_go_on():
    slow = analyze_block(CREATE, budget_s=0.0)
    nb = analyze_notebook([CREATE, FRAME], known={slow.key: slow})

    assert slow.analysis.confidence == "low"
    notes = (slow.analysis.error or "", *getattr(slow.analysis, "notes", ()))
    assert any(note.startswith("Analysis stopped after 0 s") for note in notes)
    assert nb.block("frame").analysis.confidence == "high"
    assert nb.block("frame").reads == frozenset({"core.users"})


def test_ddl_comments_are_facts_of_the_block_that_holds_them():
    ddl = DagBlock("ddl", "sql", "COMMENT ON TABLE core.users IS 'People'", dialect="duckdb")

    nb = analyze_notebook([ddl])

    assert [(c.table, c.column, c.field, c.value) for c in nb.blocks[0].facts.comments] == [
        ("core.users", None, "description", "People")
    ]
