"""Publishing an app whose Python formats an input into SQL text stores a warning with the
app and in the audit event; the app page shows it to the app's editors, not to runners."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent
from tests.execution.conftest import publish

pytestmark = pytest.mark.django_db

PARAMETERS = ("code", "email = 'a@b.example'", ["parameters"])
FORMATTED = ("code", "import duckdb\ncon = duckdb.connect()\ncon.sql(f\"SELECT '{email}'\")")
BOUND = ("code", "import duckdb\ncon = duckdb.connect()\ncon.execute('SELECT ?', [email])")

WARNING = {"block_id": "cell-1", "line": 3, "input": "email", "call": "con.sql", "how": "f-string"}


def test_publishing_stores_where_an_input_is_formatted_into_sql(workspace):
    app = publish(workspace, "apps/lookup.ipynb", PARAMETERS, FORMATTED)

    app.refresh_from_db()
    assert app.sql_warnings == [WARNING]
    event = AuditEvent.objects.get(action="app.published", target_urn=app.urn)
    assert event.details["sql_warnings"] == [WARNING]


def test_an_app_that_binds_its_inputs_has_no_warning(workspace):
    app = publish(workspace, "apps/lookup.ipynb", PARAMETERS, BOUND)

    app.refresh_from_db()
    assert app.sql_warnings == []


def test_the_app_page_shows_the_warning_to_its_editors(web, workspace, editor):
    app = publish(workspace, "apps/lookup.ipynb", PARAMETERS, FORMATTED)
    web.force_login(editor)

    page = web.get(f"/apps/{app.pk}/").text

    assert "Inputs are formatted into SQL." in page
    assert "input <code>email</code> reaches <code>con.sql</code> through f-string" in page


@pytest.mark.parametrize("persona", ["runner", "viewer"])
def test_the_app_page_hides_the_warning_from_people_who_cannot_edit(
    request, web, workspace, persona
):
    app = publish(workspace, "apps/lookup.ipynb", PARAMETERS, FORMATTED)
    web.force_login(request.getfixturevalue(persona))

    response = web.get(f"/apps/{app.pk}/")

    assert response.status_code == 200
    assert "formatted into SQL" not in response.text and "con.sql" not in response.text


def test_the_page_of_a_clean_app_has_no_warning_for_editors(web, workspace, editor):
    app = publish(workspace, "apps/lookup.ipynb", PARAMETERS, BOUND)
    web.force_login(editor)

    assert "formatted into SQL" not in web.get(f"/apps/{app.pk}/").text


def test_an_input_the_template_pastes_with_sqlsafe_is_flagged_too(workspace):
    app = publish(
        workspace,
        "apps/tables.ipynb",
        ("code", "table = 'users'", ["parameters"]),
        ("code", "%%sql\nSELECT count(*) FROM {{ table | sqlsafe }}"),
    )

    app.refresh_from_db()
    assert app.sql_warnings == [
        {"block_id": "cell-1", "line": 2, "input": "table", "call": "%sql", "how": "| sqlsafe"}
    ]
