"""Notebooks are stored a batch at a time; when the database refuses one, the batch is
written again one notebook per transaction: the others are stored whole, the refused one
leaves no row behind, and it is reported with the others' counts."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.models import AuditEvent
from catalog.ingest.pipeline import ingest_files
from catalog.ingest.sources.folder import iter_folder
from catalog.models import Block, Notebook, NotebookTable, NotebookVersion, SearchDocument
from tests.factories import ipynb_bytes, write_notebook

pytestmark = pytest.mark.django_db

MARK = "refused-by-the-database"


@pytest.fixture
def refusing_database():
    """A real trigger that makes the database refuse any block holding MARK."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION refuse_marked() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.source LIKE '%{MARK}%' THEN RAISE EXCEPTION 'refused'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER refuse_marked BEFORE INSERT ON catalog_block "
                "FOR EACH ROW EXECUTE FUNCTION refuse_marked()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER refuse_marked BEFORE INSERT ON catalog_block "
                f"WHEN NEW.source LIKE '%{MARK}%' BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
    yield
    with connection.cursor() as cursor:
        cursor.execute(
            "DROP TRIGGER refuse_marked"
            + (" ON catalog_block" if connection.vendor == "postgresql" else "")
        )
        if connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION refuse_marked()")


def test_the_refused_notebook_fails_alone_and_leaves_nothing(
    workspace, tmp_path, refusing_database
):
    for i in range(5):
        cells = [("code", f"df_{i} = con.sql('SELECT * FROM raw.t{i}').df()")]
        if i == 2:
            cells.append(("code", f"# {MARK}"))
        write_notebook(tmp_path, f"n{i}.ipynb", ipynb_bytes(*cells))

    report = ingest_files(
        actor=None, workspace=workspace, files=iter_folder(tmp_path), source="t", complete=True
    )

    assert (report.new, report.failed) == (4, 1)
    assert report.errors == [{"path": "n2.ipynb", "error": "The database refused to store it."}]
    stored = sorted(Notebook.objects.values_list("path", flat=True))
    assert stored == ["n0.ipynb", "n1.ipynb", "n3.ipynb", "n4.ipynb"]
    assert NotebookVersion.objects.count() == Block.objects.count() == 4
    assert NotebookTable.objects.count() == 4
    assert not SearchDocument.objects.filter(urn__endswith="/n2.ipynb").exists()
    assert AuditEvent.objects.filter(action="notebook.ingested").count() == 4
