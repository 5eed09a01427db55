from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.services import create_api_token
from catalog.models import Notebook
from tests.factories import ipynb_bytes

pytestmark = pytest.mark.django_db

CELLS = (("markdown", "# Billing\nDaily billing."), ("code", "x = 1"), ("code", "y = x + 1"))


def client_for(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def upload(client, slug="production", data=None, name="billing.ipynb", **extra):
    payload = {"file": SimpleUploadedFile(name, ipynb_bytes(*CELLS) if data is None else data)}
    payload.update(extra)
    return client.post(f"/api/workspaces/{slug}/notebooks/", payload, format="multipart")


def test_a_member_lists_only_their_workspaces(viewer, other_workspace):
    response = client_for(viewer).get("/api/workspaces/")

    assert response.status_code == 200
    assert [w["slug"] for w in response.json()] == ["production"]
    assert response.json()[0]["urn"] == "workspace:production"


def test_anonymous_callers_are_refused(workspace):
    response = client_for().get("/api/workspaces/")

    assert response.status_code in (401, 403)


def test_a_token_authenticates_an_api_call(viewer):
    key = create_api_token(actor=viewer)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")

    assert [w["slug"] for w in client.get("/api/workspaces/").json()] == ["production"]


def test_an_editor_uploads_a_notebook(editor):
    response = upload(client_for(editor), path="finance/billing.ipynb")

    assert response.status_code == 201
    body = response.json()
    assert (body["new"], body["failed"]) == (1, 0)
    assert body["notebooks"][0]["urn"] == "notebook:production/finance/billing.ipynb"
    assert body["notebooks"][0]["title"] == "Billing"


def test_uploading_the_same_file_again_changes_nothing(editor):
    upload(client_for(editor))

    response = upload(client_for(editor))

    assert response.status_code == 200
    assert response.json()["unchanged"] == 1
    assert Notebook.objects.get().versions.count() == 1


def test_a_viewer_may_not_upload(viewer):
    response = upload(client_for(viewer))

    assert response.status_code == 403
    assert "may not edit" in response.json()["error"]
    assert Notebook.objects.count() == 0


def test_an_outsider_gets_the_same_404_as_for_a_missing_workspace(outsider):
    forbidden = upload(client_for(outsider))
    missing = upload(client_for(outsider), slug="nope")

    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.json() == missing.json()


@pytest.mark.parametrize(
    ("data", "name", "extra", "message"),
    [
        (b"", "a.ipynb", {}, "empty"),
        (b"{not json", "a.ipynb", {}, "JSON"),
        (b"\xff\xfe\x00junk", "a.ipynb", {}, ""),
        (b'{"nbformat": 4, "nbformat_minor": 5, "metadata": {}}', "a.ipynb", {}, ""),
        (b"hello", "notes.txt", {}, "not a notebook"),
        (None, "a.ipynb", {"path": "../../etc/x.ipynb"}, ".."),
    ],
)
def test_a_bad_upload_gets_a_clear_400_and_stores_nothing(editor, data, name, extra, message):
    response = upload(client_for(editor), data=data, name=name, **extra)

    assert response.status_code == 400
    assert message in response.json()["error"]
    assert response.json()["error"].strip()
    assert Notebook.objects.count() == 0


def test_an_upload_without_a_file_is_a_clear_400(editor):
    response = client_for(editor).post(
        "/api/workspaces/production/notebooks/", {}, format="multipart"
    )

    assert response.status_code == 400
    assert "file" in response.json()["error"]


def test_notebooks_are_listed_by_workspace_and_shown_with_blocks(editor, viewer):
    upload(client_for(editor))

    listing = client_for(viewer).get("/api/notebooks/?workspace=production")
    notebook_id = listing.json()[0]["id"]
    detail = client_for(viewer).get(f"/api/notebooks/{notebook_id}/")

    assert [n["path"] for n in listing.json()] == ["billing.ipynb"]
    body = detail.json()
    assert [b["kind"] for b in body["blocks"]] == ["markdown", "code", "code"]
    assert body["blocks"][2]["analysis"]["uses"] == ["x"]
    assert body["edges"] == [{"from": "cell-1", "to": "cell-2", "names": ["x"]}]
    assert body["blocks"][1]["urn"] == "block:production/billing.ipynb#cell-1"


def test_an_outsider_cannot_read_a_notebook(editor, outsider):
    upload(client_for(editor))
    notebook = Notebook.objects.get()

    assert client_for(outsider).get("/api/notebooks/?workspace=production").json() == []
    assert client_for(outsider).get(f"/api/notebooks/{notebook.pk}/").status_code == 404


def test_the_openapi_schema_is_served(viewer):
    response = client_for(viewer).get(
        "/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    )

    assert response.status_code == 200
    assert "/api/workspaces/{slug}/notebooks/" in response.json()["paths"]
