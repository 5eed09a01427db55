"""Folder ingest never follows a symbolic link out of its folder: such a notebook (or
catalog.yml) is refused with a clear note and its target is never read; links inside the
folder are followed."""

from __future__ import annotations

import json

import pytest

from accounts.errors import InvalidInput
from catalog.ingest.folders import ingest_folder
from catalog.models import Block, Notebook, Table
from tests.factories import ipynb_bytes, write_notebook

pytestmark = pytest.mark.django_db

SECRET = "django-insecure-secret-key-0123456789abcdef"


@pytest.fixture
def outside(tmp_path):
    """A folder next to the workspace: the server's files."""
    folder = tmp_path / "var"
    folder.mkdir()
    (folder / "secret_key").write_text(SECRET)
    (folder / "private.ipynb").write_bytes(ipynb_bytes(("markdown", f"# {SECRET}")))
    return folder


@pytest.fixture
def root(tmp_path):
    folder = tmp_path / "workspace"
    folder.mkdir()
    write_notebook(folder, "real.ipynb", ipynb_bytes(("markdown", "# Real")))
    return folder


def ingest(workspace, root):
    return ingest_folder(actor=None, workspace=workspace, root=root, source="test", env={})


def nothing_holds_the_secret() -> bool:
    stored = [n.title for n in Notebook.objects.all()]
    stored += list(Block.objects.values_list("source", flat=True))
    return SECRET not in json.dumps(stored)


@pytest.mark.parametrize("target", ["secret_key", "private.ipynb"])
def test_a_notebook_linking_out_of_the_folder_is_refused_with_a_note(
    workspace, root, outside, target
):
    (root / "leak.ipynb").symlink_to(outside / target)

    report, _ = ingest(workspace, root)

    assert (report.new, report.failed) == (1, 1)
    assert report.errors == [
        {
            "path": "leak.ipynb",
            "error": "'leak.ipynb' is a symbolic link to a file outside the folder; "
            "it was not read.",
        }
    ]
    assert not Notebook.objects.filter(path="leak.ipynb").exists()
    assert nothing_holds_the_secret()


def test_a_link_through_dot_dot_inside_a_subfolder_is_refused_too(workspace, root, outside):
    (root / "team").mkdir()
    (root / "team" / "leak.ipynb").symlink_to("../../var/private.ipynb")

    report, _ = ingest(workspace, root)

    assert [e["path"] for e in report.errors] == ["team/leak.ipynb"]
    assert nothing_holds_the_secret()


def test_a_linked_folder_outside_is_not_entered(workspace, root, outside):
    (root / "linked").symlink_to(outside, target_is_directory=True)

    report, _ = ingest(workspace, root)

    assert (report.new, report.failed) == (1, 0)
    assert list(Notebook.objects.values_list("path", flat=True)) == ["real.ipynb"]
    assert nothing_holds_the_secret()


def test_a_link_to_a_notebook_inside_the_folder_is_followed(workspace, root):
    (root / "alias.ipynb").symlink_to(root / "real.ipynb")

    report, _ = ingest(workspace, root)

    assert (report.new, report.failed) == (2, 0)
    assert sorted(Notebook.objects.values_list("path", "title")) == [
        ("alias.ipynb", "Real"),
        ("real.ipynb", "Real"),
    ]


def test_a_catalog_file_linking_out_refuses_the_folder_and_changes_nothing(
    workspace, root, outside
):
    (outside / "catalog.yml").write_text(
        f"tables:\n  - name: analytics.leaked\n    description: {SECRET}\n"
    )
    (root / "catalog.yml").symlink_to(outside / "catalog.yml")

    with pytest.raises(InvalidInput) as error:
        ingest(workspace, root)

    assert error.value.message == (
        "catalog.yml is a symbolic link to a file outside the folder; it was not read."
    )
    assert not Notebook.objects.exists() and not Table.objects.exists()
