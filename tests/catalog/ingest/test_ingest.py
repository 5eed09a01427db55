from __future__ import annotations

import pytest

from accounts.errors import InvalidInput
from accounts.models import AuditEvent
from catalog.ingest.pipeline import ingest_files, ingest_upload
from catalog.ingest.sources.folder import iter_folder
from catalog.models import Block, Notebook, NotebookVersion
from tests.factories import ipynb_bytes, write_notebook

pytestmark = pytest.mark.django_db

LOAD = ("code", "import pandas as pd\nusers = pd.read_parquet('users.parquet')")
FILTER = ("code", "active = users[users.active]")
DOC = ("markdown", "# Active users\nEveryone who logged in this week.")


def ingest_folder(workspace, root):
    return ingest_files(
        actor=None, workspace=workspace, files=iter_folder(root), source="test", complete=True
    )


def test_it_ingests_a_folder_into_versioned_notebooks(workspace, tmp_path):
    write_notebook(tmp_path, "a.ipynb", ipynb_bytes(DOC, LOAD, FILTER))
    write_notebook(tmp_path, "team/b.ipynb", ipynb_bytes(LOAD))

    report = ingest_folder(workspace, tmp_path)

    assert (report.new, report.changed, report.unchanged, report.failed) == (2, 0, 0, 0)
    a = Notebook.objects.get(workspace=workspace, path="a.ipynb")
    assert a.title == "Active users"
    assert a.urn == "notebook:production/a.ipynb"
    assert a.current_version.number == 1
    blocks = list(a.current_version.blocks.values_list("position", "block_id", "kind"))
    assert blocks == [(0, "cell-0", "markdown"), (1, "cell-1", "code"), (2, "cell-2", "code")]
    assert Notebook.objects.get(path="team/b.ipynb").current_version.format == "ipynb"


def test_it_skips_checkpoint_folders(workspace, tmp_path):
    write_notebook(tmp_path, "a.ipynb", ipynb_bytes(LOAD))
    write_notebook(tmp_path, ".ipynb_checkpoints/a-checkpoint.ipynb", ipynb_bytes(LOAD))

    report = ingest_folder(workspace, tmp_path)

    assert report.new == 1
    assert list(Notebook.objects.values_list("path", flat=True)) == ["a.ipynb"]


def test_an_unchanged_notebook_gets_no_new_version(workspace, tmp_path):
    write_notebook(tmp_path, "a.ipynb", ipynb_bytes(LOAD, FILTER))
    ingest_folder(workspace, tmp_path)

    report = ingest_folder(workspace, tmp_path)

    assert (report.new, report.changed, report.unchanged) == (0, 0, 1)
    assert NotebookVersion.objects.count() == 1


def test_a_changed_notebook_gets_a_new_version_and_keeps_block_ids(workspace, tmp_path):
    write_notebook(tmp_path, "a.ipynb", ipynb_bytes(LOAD, FILTER))
    ingest_folder(workspace, tmp_path)
    write_notebook(tmp_path, "a.ipynb", ipynb_bytes(LOAD, ("code", "active = users.head()")))

    report = ingest_folder(workspace, tmp_path)

    assert (report.new, report.changed) == (0, 1)
    notebook = Notebook.objects.get(path="a.ipynb")
    assert notebook.current_version.number == 2
    assert list(notebook.versions.values_list("number", flat=True)) == [2, 1]
    sources = notebook.current_version.blocks.values_list("source", flat=True)
    assert list(sources)[1] == "active = users.head()"


def test_a_file_gone_from_the_folder_is_marked_deleted_and_kept(workspace, tmp_path):
    path = write_notebook(tmp_path, "a.ipynb", ipynb_bytes(LOAD))
    ingest_folder(workspace, tmp_path)
    path.unlink()

    report = ingest_folder(workspace, tmp_path)

    assert report.deleted == 1
    notebook = Notebook.objects.get(path="a.ipynb")
    assert notebook.is_deleted is True
    assert notebook.versions.count() == 1
    assert (
        AuditEvent.objects.filter(action="notebook.deleted", target_urn=notebook.urn).count() == 1
    )


def test_a_deleted_notebook_that_comes_back_is_restored(workspace, tmp_path):
    path = write_notebook(tmp_path, "a.ipynb", ipynb_bytes(LOAD))
    ingest_folder(workspace, tmp_path)
    path.unlink()
    ingest_folder(workspace, tmp_path)
    write_notebook(tmp_path, "a.ipynb", ipynb_bytes(LOAD))

    report = ingest_folder(workspace, tmp_path)

    assert report.new == 1
    notebook = Notebook.objects.get(path="a.ipynb")
    assert notebook.is_deleted is False
    assert notebook.versions.count() == 1


def test_a_bad_file_is_recorded_and_the_batch_goes_on(workspace, tmp_path):
    write_notebook(tmp_path, "good.ipynb", ipynb_bytes(LOAD))
    write_notebook(tmp_path, "broken.ipynb", b'{"cells": [')
    write_notebook(tmp_path, "empty.ipynb", b"")

    report = ingest_folder(workspace, tmp_path)

    assert (report.new, report.failed) == (1, 2)
    failed = {e["path"]: e["error"] for e in report.errors}
    assert set(failed) == {"broken.ipynb", "empty.ipynb"}
    assert all(message for message in failed.values())
    assert list(Notebook.objects.values_list("path", flat=True)) == ["good.ipynb"]


def test_a_bad_new_version_leaves_the_old_one_untouched(workspace, tmp_path):
    write_notebook(tmp_path, "a.ipynb", ipynb_bytes(LOAD))
    ingest_folder(workspace, tmp_path)
    write_notebook(tmp_path, "a.ipynb", b"\x89PNG\r\n\x1a\n\x00\x00binary junk")

    report = ingest_folder(workspace, tmp_path)

    assert report.failed == 1
    notebook = Notebook.objects.get(path="a.ipynb")
    assert notebook.current_version.number == 1
    assert notebook.is_deleted is False
    assert Block.objects.filter(version__notebook=notebook).count() == 1


def test_ingest_stores_each_blocks_analysis_and_the_block_dag(workspace, tmp_path):
    write_notebook(tmp_path, "a.ipynb", ipynb_bytes(LOAD, FILTER, ("code", "print(len(active))")))

    ingest_folder(workspace, tmp_path)

    version = Notebook.objects.get(path="a.ipynb").current_version
    load, filt, _show = (b.block_lineage for b in version.blocks.all())
    assert load.analysis.defines == {"pd", "users"}
    assert load.reads == {"users.parquet"}
    assert filt.analysis.uses == {"users"}
    assert filt.analysis.defines == {"active"}
    edges = [(e.source, e.target, sorted(e.names)) for e in version.summary.edges]
    assert edges == [("cell-0", "cell-1", ["users"]), ("cell-1", "cell-2", ["active"])]
    assert version.reads == ["users.parquet"]


def test_sql_in_a_notebook_gives_its_tables_read_and_written(workspace, tmp_path):
    sql = (
        "code",
        "import duckdb\ncon = duckdb.connect('w.duckdb')\n"
        "con.execute('CREATE TABLE analytics.daily AS SELECT * FROM core.users')",
    )
    write_notebook(tmp_path, "a.ipynb", ipynb_bytes(sql))

    ingest_folder(workspace, tmp_path)

    version = Notebook.objects.get(path="a.ipynb").current_version
    assert version.reads == ["core.users"]
    assert version.writes == ["analytics.daily"]


def test_unchanged_blocks_reuse_their_stored_analysis(workspace, tmp_path):
    write_notebook(tmp_path, "a.ipynb", ipynb_bytes(LOAD, FILTER))
    ingest_folder(workspace, tmp_path)
    first = Block.objects.get(version__number=1, position=0)
    # Plant a fact no analyser would find: only reuse can carry it into the next version.
    first.lineage["facts"]["analysis"]["imports"] = ["planted"]
    first.save(update_fields=["lineage"])
    write_notebook(tmp_path, "a.ipynb", ipynb_bytes(LOAD, ("code", "x = 1")))

    ingest_folder(workspace, tmp_path)

    second = Block.objects.get(version__number=2, position=0)
    assert second.block_lineage.facts.key == first.block_lineage.facts.key
    assert second.block_lineage.analysis.imports == {"planted"}
    changed = Block.objects.get(version__number=2, position=1).block_lineage
    assert changed.analysis.defines == {"x"}


def test_every_new_notebook_writes_an_audit_event(workspace, tmp_path):
    write_notebook(tmp_path, "a.ipynb", ipynb_bytes(LOAD))

    ingest_folder(workspace, tmp_path)

    actions = list(AuditEvent.objects.values_list("action", "target_urn"))
    assert ("notebook.ingested", "notebook:production/a.ipynb") in actions
    assert actions[-1] == ("workspace.ingested", "workspace:production")


def test_an_upload_is_ingested_at_its_given_path(workspace, editor):
    report = ingest_upload(
        actor=editor,
        workspace=workspace,
        filename="x.ipynb",
        data=ipynb_bytes(LOAD),
        path="team/report.ipynb",
    )

    assert report.new == 1
    version = Notebook.objects.get(path="team/report.ipynb").current_version
    assert version.created_by == editor
    assert version.source == "upload"


@pytest.mark.parametrize(
    "path",
    ["../escape.ipynb", "team/../../etc/passwd.ipynb", "/abs/a.ipynb", "C:/x.ipynb", "a.txt"],
)
def test_an_upload_with_an_unsafe_path_is_refused(workspace, editor, path):
    with pytest.raises(InvalidInput):
        ingest_upload(
            actor=editor, workspace=workspace, filename="x.ipynb", data=ipynb_bytes(LOAD), path=path
        )

    assert Notebook.objects.count() == 0


def test_the_same_path_twice_in_one_batch_keeps_the_first(workspace):
    from catalog.ingest.sources import SourceFile

    files = [
        SourceFile("a.ipynb", lambda: ipynb_bytes(LOAD)),
        SourceFile("./a.ipynb", lambda: ipynb_bytes(FILTER)),
    ]

    report = ingest_files(actor=None, workspace=workspace, files=files, source="t", complete=False)

    assert (report.new, report.failed) == (1, 1)
    assert "Duplicate path 'a.ipynb'" in report.errors[0]["error"]
    assert Notebook.objects.get().current_version.blocks.get().source == LOAD[1]
