"""Bad files through the API: a clear 400 or a stored notebook, never a 500, never half a write."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from catalog.models import Block, Notebook
from tests.catalog.formats.factories import (
    code_cell,
    ipynb_bytes,
    v3_code,
    v3_notebook,
    v4_notebook,
)

pytestmark = pytest.mark.django_db

ALIAS_BOMB = b"""
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
project:
  notebooks: *e
"""


def post(user, name: str, data: bytes, **extra):
    client = APIClient()
    client.force_authenticate(user)
    payload = {"file": SimpleUploadedFile(name, data), **extra}
    return client.post("/api/workspaces/production/notebooks/", payload, format="multipart")


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bomb.deepnote", ALIAS_BOMB, "alias"),
        ("deep.deepnote", b"project: " + b"[" * 200_000 + b"]" * 200_000, "nest"),
        ("trunc.ipynb", ipynb_bytes(v4_notebook([code_cell("x = 1")]))[:-20], ""),
        ("latin1.ipynb", '{"cells": "caf\xe9"}'.encode("latin-1"), "UTF-8"),
        ("nocells.ipynb", json.dumps({"nbformat": 4, "nbformat_minor": 5}).encode(), "cells"),
        ("empty.deepnote", b"", "empty"),
        ("list.ipynb", b"[1, 2, 3]", ""),
    ],
)
def test_a_bad_file_is_refused_with_a_clear_message_and_nothing_is_stored(
    editor, name, data, message
):
    events_before = AuditEvent.objects.count()

    response = post(editor, name, data)

    assert response.status_code == 400
    error = response.json()["error"]
    assert error.strip() and message.lower() in error.lower()
    assert Notebook.objects.count() == 0 and Block.objects.count() == 0
    assert AuditEvent.objects.count() == events_before


def test_an_old_nbformat_v3_notebook_is_ingested(editor):
    notebook = v3_notebook([[v3_code("x = 1"), v3_code("y = x")]], name="Old one")

    response = post(editor, "old.ipynb", ipynb_bytes(notebook))

    assert response.status_code == 201
    stored = Notebook.objects.get()
    assert (stored.title, stored.current_version.format_version) == ("Old one", "3.0")
    assert [b.source for b in stored.current_version.blocks.all()] == ["x = 1", "y = x"]
    assert stored.current_version.summary.edges[0].names == {"x"}


def test_a_notebook_with_a_50_mb_output_is_stored_whole(editor):
    big = "x" * (50 * 1024 * 1024)
    cell = code_cell("print('x' * 50_000_000)")
    cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": big}]

    response = post(editor, "big.ipynb", ipynb_bytes(v4_notebook([cell])))

    assert response.status_code == 201
    block = Block.objects.get()
    assert len(block.outputs[0]["text"]) == len(big)


def test_the_page_of_a_notebook_with_a_huge_output_shows_a_truncated_output(client, editor):
    cell = code_cell("print(big)")
    cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "y" * 3_000_000}]
    post(editor, "big.ipynb", ipynb_bytes(v4_notebook([cell])))
    client.force_login(editor)

    html = client.get(f"/notebooks/{Notebook.objects.get().pk}/").content.decode()

    assert "more characters not shown" in html
    assert len(html) < 200_000
