from __future__ import annotations

import pytest

from catalog.ingest.jobs import start_folder_ingest
from catalog.models import IngestJob, Notebook
from tests.factories import ipynb_bytes, write_notebook


@pytest.mark.django_db(transaction=True)
def test_a_folder_ingest_job_runs_and_records_its_progress(workspace, editor, tmp_path):
    for i in range(3):
        write_notebook(tmp_path, f"n{i}.ipynb", ipynb_bytes(("code", f"x = {i}")))
    write_notebook(tmp_path, "bad.ipynb", b"nope")

    job = start_folder_ingest(actor=editor, workspace=workspace, root=tmp_path)

    job = IngestJob.objects.get(pk=job.pk)
    assert job.status == "succeeded"
    assert (job.total, job.done) == (4, 4)
    assert job.counts == {"new": 3, "changed": 0, "unchanged": 0, "deleted": 0, "failed": 1}
    assert job.errors[0]["path"] == "bad.ipynb"
    assert Notebook.objects.count() == 3
