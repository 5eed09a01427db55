"""Impact owners are read in chunks: hundreds of downstream tables are no 500 on SQLite."""

from __future__ import annotations

import pytest

from catalog.models import Table
from lineage.models import EdgeKind, LineageEdge
from lineage.services import bump_stamp

pytestmark = pytest.mark.django_db

HUB = "table:duckdb://big/core.hub"


def test_the_impact_of_a_table_feeding_four_hundred_tables_lists_them_and_their_owners(
    client, staff, workspace
):
    rows = []
    for i in range(20):
        block = f"block:production/n{i:02}.ipynb#c"
        rows.append((HUB, block, EdgeKind.READS, "core.hub", f"n{i:02}.ipynb#c"))
        for j in range(20):
            name = f"mart.t{i:02}_{j:02}"
            rows.append((block, f"table:duckdb://big/{name}", EdgeKind.WRITES, block[6:], name))
    LineageEdge.objects.bulk_create(
        LineageEdge(
            source_urn=s,
            target_urn=t,
            kind=k,
            source_name=sn,
            target_name=tn,
            source_workspace=workspace,
            target_workspace=workspace,
        )
        for s, t, k, sn, tn in rows
    )
    Table.objects.create(
        workspace=workspace, warehouse="duckdb://big", name="mart.t19_19", owner_email="o@x.io"
    )
    bump_stamp()
    client.force_login(staff)

    response = client.get("/api/lineage/impact/", {"urn": HUB})

    assert response.status_code == 200
    assert len(response.json()["tables"]) == 400
    assert response.json()["owners"] == ["o@x.io"]
