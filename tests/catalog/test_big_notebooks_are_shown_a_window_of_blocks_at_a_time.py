"""A notebook of any size: its page and its API hold one window of blocks, the rest load as
the reader scrolls (page) or by following ``blocks_next`` (API)."""

from __future__ import annotations

import re

import pytest
from rest_framework.test import APIClient

from catalog.ingest.pipeline import ingest_upload
from catalog.models import Notebook
from tests.factories import ipynb_bytes

pytestmark = pytest.mark.django_db

BLOCKS = 240


def put(workspace, path, cells, outputs=None) -> Notebook:
    ingest_upload(
        actor=None,
        workspace=workspace,
        filename=path,
        data=ipynb_bytes(*cells, outputs=outputs),
        path=path,
    )
    return Notebook.objects.get(workspace=workspace, path=path)


def chain(count: int) -> list[tuple[str, str]]:
    """Code cells each using the one before: every block has an edge to its neighbours."""
    return [("code", "v0 = 0")] + [("code", f"v{i} = v{i - 1} + 1") for i in range(1, count)]


@pytest.fixture
def big(workspace, settings):
    settings.NOTEBOOK_PAGE_BLOCKS = 50
    return put(workspace, "big.ipynb", chain(BLOCKS))


def shown_ids(html: str) -> list[str]:
    return re.findall(r'<li class="block block-\w+" id="block-([^"]+)"', html)


def test_the_page_shows_the_first_window_and_a_link_to_the_next(client, viewer, big):
    client.force_login(viewer)

    html = client.get(f"/notebooks/{big.pk}/").content.decode()

    assert shown_ids(html) == [f"cell-{i}" for i in range(50)]
    assert f'hx-get="/notebooks/{big.pk}/blocks/?blocks_offset=50"' in html
    assert 'hx-trigger="revealed"' in html
    assert '<a href="?blocks_offset=50">More blocks</a>' in html
    assert f"(blocks 1 to 50 of {BLOCKS})" in html


def test_the_page_costs_the_same_queries_and_bytes_whatever_the_notebook_size(
    client, viewer, workspace, settings, django_assert_max_num_queries
):
    settings.NOTEBOOK_PAGE_BLOCKS = 50
    small = put(workspace, "small.ipynb", chain(60))
    large = put(workspace, "large.ipynb", chain(600))
    client.force_login(viewer)

    sizes = []
    for notebook in (small, large):
        # The window, its edges and tables, the dependencies, recording the view, and the
        # first request's session and content types: 25 at most, whatever the size.
        with django_assert_max_num_queries(25):
            sizes.append(len(client.get(f"/notebooks/{notebook.pk}/").content))

    small_size, large_size = sizes
    assert large_size < small_size * 1.05  # the same 50 blocks, a longer name and count
    assert large_size < 2_000_000


def test_the_fragment_gives_the_next_window_and_the_last_one_no_link(client, viewer, big):
    client.force_login(viewer)

    middle = client.get(f"/notebooks/{big.pk}/blocks/?blocks_offset=50").content.decode()
    last = client.get(f"/notebooks/{big.pk}/blocks/?blocks_offset=200").content.decode()

    assert shown_ids(middle) == [f"cell-{i}" for i in range(50, 100)]
    assert "blocks_offset=100" in middle and "<html" not in middle
    assert shown_ids(last) == [f"cell-{i}" for i in range(200, BLOCKS)]
    assert "More blocks" not in last


def test_a_window_asked_for_by_offset_is_a_whole_page_with_a_link_back(client, viewer, big):
    client.force_login(viewer)

    html = client.get(f"/notebooks/{big.pk}/?blocks_offset=100").content.decode()

    assert shown_ids(html)[0] == "cell-100" and len(shown_ids(html)) == 50
    assert '<a href="?blocks_offset=50">Earlier blocks</a>' in html


def test_an_edge_to_a_block_outside_the_window_links_to_its_window(client, viewer, big):
    client.force_login(viewer)

    html = client.get(f"/notebooks/{big.pk}/").content.decode()

    # Named by what they are; inside the window an anchor, outside it the window's link.
    assert 'href="#block-cell-48">v48</a> (v48)' in html
    assert 'href="?blocks_offset=50#block-cell-50">v50</a> (v49)' in html


def test_big_outputs_end_a_window_early_but_never_empty(client, viewer, workspace, settings):
    settings.NOTEBOOK_PAGE_BYTES = 250_000
    text = "x" * 100_000
    outputs = {i: [{"output_type": "stream", "name": "stdout", "text": text}] for i in range(10)}
    notebook = put(workspace, "loud.ipynb", [("code", f"print({i})") for i in range(10)], outputs)
    client.force_login(viewer)

    first = client.get(f"/notebooks/{notebook.pk}/").content.decode()
    settings.NOTEBOOK_PAGE_BYTES = 10
    tiny = client.get(f"/notebooks/{notebook.pk}/").content.decode()

    assert shown_ids(first) == ["cell-0", "cell-1"]
    assert "blocks_offset=2" in first
    assert shown_ids(tiny) == ["cell-0"]


def test_the_summary_comes_from_the_first_markdown_block_even_past_the_window(
    client, viewer, workspace, settings
):
    settings.NOTEBOOK_PAGE_BLOCKS = 5
    cells = [*chain(8), ("markdown", "# Big\n\nBuilds the big table.")]
    notebook = put(workspace, "late.ipynb", cells)
    client.force_login(viewer)

    html = client.get(f"/notebooks/{notebook.pk}/").content.decode()

    assert '<p class="summary">Builds the big table.</p>' in html


@pytest.mark.parametrize("raw", ["²", "-1", "abc", "9" * 25])
def test_a_bad_offset_is_a_400_naming_the_field(client, viewer, big, raw):
    client.force_login(viewer)

    for url in (f"/notebooks/{big.pk}/", f"/notebooks/{big.pk}/blocks/"):
        response = client.get(url, {"blocks_offset": raw})

        assert response.status_code == 400
        assert "blocks_offset" in response.content.decode()


def test_an_outsider_gets_a_404_for_the_fragment(client, outsider, big):
    client.force_login(outsider)

    assert client.get(f"/notebooks/{big.pk}/blocks/?blocks_offset=50").status_code == 404


# --- the API ----------------------------------------------------------------------------


def api(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_the_api_gives_a_window_of_blocks_and_the_url_of_the_next(viewer, big, settings):
    settings.NOTEBOOK_API_BLOCKS = 100

    body = api(viewer).get(f"/api/notebooks/{big.pk}/").json()

    assert [b["id"] for b in body["blocks"]] == [f"cell-{i}" for i in range(100)]
    assert (body["blocks_offset"], body["blocks_limit"], body["blocks_total"]) == (0, 100, BLOCKS)
    assert body["blocks_next"] == (
        f"http://testserver/api/notebooks/{big.pk}/?blocks_offset=100&blocks_limit=100"
    )
    assert body["path"] == "big.ipynb" and body["urn"] == "notebook:production/big.ipynb"


def test_following_blocks_next_reads_every_block_once(viewer, big):
    client, url, seen = api(viewer), f"/api/notebooks/{big.pk}/?blocks_limit=70", []
    while url:
        body = client.get(url).json()
        seen += [b["id"] for b in body["blocks"]]
        url = body["blocks_next"]

    assert seen == [f"cell-{i}" for i in range(BLOCKS)]


def test_the_api_gives_the_edges_of_the_windows_blocks_only(viewer, big):
    body = api(viewer).get(f"/api/notebooks/{big.pk}/?blocks_offset=10&blocks_limit=3").json()

    assert [b["id"] for b in body["blocks"]] == ["cell-10", "cell-11", "cell-12"]
    assert body["edges"] == [
        {"from": f"cell-{i}", "to": f"cell-{i + 1}", "names": [f"v{i}"]} for i in range(9, 13)
    ]
    assert body["blocks_next"].endswith("?blocks_offset=13&blocks_limit=3")


def test_the_last_window_has_no_next(viewer, big):
    body = api(viewer).get(f"/api/notebooks/{big.pk}/?blocks_offset=200&blocks_limit=100").json()

    assert len(body["blocks"]) == BLOCKS - 200
    assert body["blocks_next"] is None


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("blocks_limit=0", "blocks_limit"),
        ("blocks_limit=2001", "blocks_limit"),
        ("blocks_limit=³", "blocks_limit"),
        ("blocks_offset=-3", "blocks_offset"),
        ("blocks_offset=" + "9" * 25, "blocks_offset"),
    ],
)
def test_a_bad_window_is_a_400_naming_the_field(viewer, big, query, field):
    response = api(viewer).get(f"/api/notebooks/{big.pk}/?{query}")

    assert response.status_code == 400
    assert field in response.json()["error"]


def test_the_page_and_the_api_still_show_what_the_notebook_reads_and_writes(
    client, viewer, workspace
):
    cells = [
        ("code", "import pandas as pd\nusers = pd.read_sql('SELECT * FROM analytics.users', con)"),
        ("code", "users.to_sql('users_copy', con)"),
    ]
    notebook = put(workspace, "io.ipynb", cells)
    client.force_login(viewer)

    html = client.get(f"/notebooks/{notebook.pk}/").content.decode()
    body = api(viewer).get(f"/api/notebooks/{notebook.pk}/").json()

    reads = html.split("<h3>Reads</h3>", 1)[1].split("</div>", 1)[0]
    writes = html.split("<h3>Writes</h3>", 1)[1].split("</div>", 1)[0]
    assert "analytics.users" in reads and "users_copy" not in reads
    assert "users_copy" in writes
    assert (body["reads"], body["writes"]) == (["analytics.users"], ["users_copy"])
