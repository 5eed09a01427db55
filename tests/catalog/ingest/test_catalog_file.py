from __future__ import annotations

from pathlib import Path

import pytest

from catalog.ingest.catalog_file import CatalogFileError, parse_catalog_file

DEMO = Path(__file__).resolve().parents[3] / "demo" / "workspaces"


def test_the_demo_catalog_files_parse_with_the_warehouse_from_the_environment():
    spec = parse_catalog_file(
        (DEMO / "production" / "catalog.yml").read_text(),
        env={"TRIBUTARY_WAREHOUSE": "/data/wh.duckdb"},
    )

    assert spec.warehouse.namespace == "duckdb://warehouse"
    assert (spec.warehouse.location, spec.warehouse.database, spec.warehouse.schema) == (
        "/data/wh.duckdb",
        "wh",
        "main",
    )
    users = next(t for t in spec.tables if t.name == "core.users")
    assert users.owner == "data-platform@riverbend.example"
    assert "pii" in users.tags
    assert [c.name for c in users.columns] == ["user_id", "email", "full_name", "plan_id"]
    assert [a.name for a in spec.apps] == ["delete-user", "change-plan"]
    assert spec.metrics[0].tables == ("analytics.billing_daily",)


def test_a_relative_default_path_is_taken_from_the_base_folder(tmp_path):
    text = "warehouse: {name: wh, type: duckdb, default_path: var/w.duckdb}"

    spec = parse_catalog_file(text, env={}, base_dir=tmp_path)

    assert spec.warehouse.location == str(tmp_path / "var" / "w.duckdb")


def test_a_postgres_warehouse_gets_its_namespace_from_the_dsn():
    text = "warehouse: {name: wh, type: postgres, dsn: 'postgresql://me@db.internal/analytics'}"

    spec = parse_catalog_file(text)

    assert spec.warehouse.namespace == "postgres://db.internal:5432/analytics"
    assert (spec.warehouse.dialect, spec.warehouse.schema) == ("postgres", "public")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a list", "catalog.yml: the file must hold a mapping"),
        ("version: 2", "catalog.yml: unknown version 2; this reads version 1"),
        ("warehouse: {name: w, type: oracle}", "warehouse.type must be one of"),
        (
            "warehouse: {name: w, type: postgres, dsn: 'postgresql://u:secret@h/db'}",
            "warehouse.dsn must not hold a password",
        ),
        ("tables: [{description: x}]", "catalog.yml: tables[0] needs a 'name'"),
        ("tables: [{name: a.b, owner: nobody}]", "tables[0].owner must be an e-mail address"),
        ("metrics: [{name: 'Bad Name'}]", "metrics[0].name must be lower-case"),
        ("apps: [{name: x}]", "apps[0] needs a 'notebook'"),
        ("tables: [{name: a.b, tags: pii}]", "tables[0].tags must be a list of words"),
        ("a: [1, 2", "catalog.yml:"),
    ],
)
def test_a_bad_catalog_file_is_refused_with_a_message_saying_where(text, message):
    with pytest.raises(CatalogFileError) as error:
        parse_catalog_file(text)

    assert message in str(error.value)
