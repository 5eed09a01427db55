"""A block whose analysis ran out of its budget (``ANALYSIS_BLOCK_BUDGET_S``) is stored
with a best-effort result marked low confidence, and its notebook page says so; the other
notebooks of the ingest are analysed as usual."""

from __future__ import annotations

import pytest

from catalog.ingest.pipeline import ingest_upload
from catalog.models import Block, Notebook
from tests.factories import ipynb_bytes

pytestmark = pytest.mark.django_db

# Tens of thousands of statements: seconds of analysis, never within a hundredth of one.
HUGE_CELL = "\n".join(f"v{i} = v{i - 1} + 1" for i in range(1, 60_000))


def put(workspace, path, *cells) -> Notebook:
    ingest_upload(
        actor=None, workspace=workspace, filename=path, data=ipynb_bytes(*cells), path=path
    )
    return Notebook.objects.get(workspace=workspace, path=path)


def test_the_page_shows_the_note_of_a_block_cut_short(client, viewer, workspace, settings):
    settings.ANALYSIS_BLOCK_BUDGET_S = 0.01
    notebook = put(workspace, "huge.ipynb", ("code", HUGE_CELL), ("code", "w = v0"))
    client.force_login(viewer)

    html = client.get(f"/notebooks/{notebook.pk}/").content.decode()

    stored = Block.objects.get(version=notebook.current_version, block_id="cell-0").lineage
    analysis = stored["facts"]["analysis"]
    assert analysis["confidence"] == "low"
    assert "python scoping" in analysis["notes"][0]
    assert 'class="muted analysis-note">Analysis stopped after 0.01 s (python scoping)' in html


def test_the_budget_comes_from_the_setting_and_spares_the_next_notebook(workspace, settings):
    settings.ANALYSIS_BLOCK_BUDGET_S = 0.01
    put(workspace, "huge.ipynb", ("code", HUGE_CELL))
    small = put(
        workspace, "small.ipynb", ("code", "import pandas as pd\ndf = pd.read_csv('x.csv')")
    )

    stored = Block.objects.get(version=small.current_version, block_id="cell-0").lineage
    analysis = stored["facts"]["analysis"]  # compact: fields at their default are left out
    assert "confidence" not in analysis and "notes" not in analysis  # high, none
    assert analysis["reads"] == ["x.csv"]
