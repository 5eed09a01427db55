"""A folder ingest as a job of chunks: progress and counts across chunks, exact after a
chunk is delivered again, the folder-wide steps done once, the job readable over the API."""

from __future__ import annotations

import pytest

from catalog.ingest import jobs
from catalog.models import IngestChunk, IngestJob, Notebook, NotebookVersion
from catalog.tasks import start_folder_ingest
from tests.factories import ipynb_bytes, write_notebook

pytestmark = pytest.mark.django_db


def folder(tmp_path, count: int, *, bad: bool = True):
    for i in range(count):
        write_notebook(tmp_path, f"n{i}.ipynb", ipynb_bytes(("code", f"x = {i}")))
    if bad:
        write_notebook(tmp_path, "zz-bad.ipynb", b"nope")
    return tmp_path


@pytest.mark.django_db(transaction=True)
def test_a_queued_job_runs_every_chunk_and_records_its_progress(workspace, editor, tmp_path):
    job = start_folder_ingest(
        actor=editor, workspace=workspace, root=folder(tmp_path, 4), chunk_files=2
    )

    job = IngestJob.objects.get(pk=job.pk)
    assert job.status == "succeeded"
    assert (job.total, job.done) == (5, 5)
    assert job.counts == {"new": 4, "changed": 0, "unchanged": 0, "deleted": 0, "failed": 1}
    assert job.errors[0]["path"] == "zz-bad.ipynb"
    assert [(c.index, len(c.paths), c.done, c.status) for c in job.chunks.all()] == [
        (0, 2, 2, "succeeded"),
        (1, 2, 2, "succeeded"),
        (2, 1, 1, "succeeded"),
    ]
    assert Notebook.objects.count() == 4


def test_the_progress_callback_counts_files_across_chunks(workspace, tmp_path):
    job = jobs.create_folder_job(
        actor=None, workspace=workspace, root=folder(tmp_path, 5, bad=False), chunk_files=2
    )
    seen: list[tuple[int, int | None]] = []

    jobs.run_job_here(job, progress=lambda done, total: seen.append((done, total)))

    assert seen[-1] == (5, 5)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)
    assert IngestJob.objects.get(pk=job.pk).status == "succeeded"


def test_a_chunk_delivered_again_goes_on_from_its_last_commit(workspace, tmp_path):
    job = jobs.create_folder_job(
        actor=None, workspace=workspace, root=folder(tmp_path, 3, bad=False), chunk_files=10
    )
    (chunk,) = job.chunks.all()
    jobs.run_chunk(chunk.pk)
    # A worker that committed everything and died before marking the chunk finished:
    IngestChunk.objects.filter(pk=chunk.pk).update(status="running")
    IngestJob.objects.filter(pk=job.pk).update(status="running")

    again = jobs.run_chunk(chunk.pk)

    assert (again.attempts, again.done, again.status) == (2, 3, "succeeded")
    assert again.counts["new"] == 3 and again.counts["unchanged"] == 0
    assert NotebookVersion.objects.count() == 3  # nothing stored twice
    assert IngestJob.objects.get(pk=job.pk).counts["new"] == 3


def test_the_last_chunk_marks_notebooks_whose_file_is_gone_deleted(workspace, tmp_path):
    root = folder(tmp_path, 2, bad=False)
    jobs.run_job_here(jobs.create_folder_job(actor=None, workspace=workspace, root=root))
    (root / "n1.ipynb").unlink()

    job = jobs.run_job_here(jobs.create_folder_job(actor=None, workspace=workspace, root=root))

    assert job.counts == {"new": 0, "changed": 0, "unchanged": 1, "deleted": 1, "failed": 0}
    assert Notebook.objects.get(path="n1.ipynb").is_deleted


def test_an_editor_reads_the_job_and_an_outsider_gets_404(
    client, workspace, editor, outsider, tmp_path
):
    job = jobs.run_job_here(
        jobs.create_folder_job(
            actor=editor, workspace=workspace, root=folder(tmp_path, 3), chunk_files=2
        )
    )

    client.force_login(editor)
    body = client.get(f"/api/ingest-jobs/{job.pk}/").json()
    client.force_login(outsider)
    hidden = client.get(f"/api/ingest-jobs/{job.pk}/")

    assert (body["status"], body["total"], body["done"]) == ("succeeded", 4, 4)
    assert body["counts"]["new"] == 3 and body["counts"]["failed"] == 1
    assert [(c["files"], c["done"]) for c in body["chunks"]] == [(2, 2), (2, 2)]
    assert hidden.status_code == 404
