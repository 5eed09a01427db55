"""Every kind of page, in a real browser under the Content-Security-Policy: no violation
(no inline script or handler left), the scripts that make pages work still run, and the
invite page's copy button copies the link."""

from __future__ import annotations

import pytest

from tests.execution.conftest import publish
from tests.factories import put_notebook
from tests.kb_factories import make_table

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Registered before any page script: what the browser refused, and why.
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
});
"""


@pytest.fixture
def site(workspace, admin_user):
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    table = make_table(workspace, "analytics.billing_daily", description="Invoices per day.")
    notebook = put_notebook(workspace, "billing.ipynb", "x = 1")
    app = publish(workspace, "apps/greeter.ipynb", ("code", "name = 'Ada'", ["parameters"]))
    return {"table": table, "notebook": notebook, "app": app}


def watched(open_as, user, path):
    page = open_as(user, "/")
    page.context.add_init_script(WATCH)
    page.goto(path)
    page.wait_for_load_state("networkidle")
    return page


def violations(page) -> list[str]:
    return page.evaluate("window.__violations")


def test_no_page_breaks_the_policy(open_as, admin_user, site):
    table, app = site["table"], site["app"]
    paths = [
        "/",
        "/w/production/",
        "/search/?q=billing",
        f"/tables/{table.pk}/",
        f"/notebooks/{site['notebook'].pk}/",
        f"/lineage/?urn={table.urn}",
        f"/apps/{app.pk}/",
        f"/apps/{app.pk}/run/",
        "/w/production/members/",
        "/w/production/sharing/",
        "/w/production/invites/",
        "/reviews/",
        "/audit/",
        "/account/",
        "/admin/",
        "/admin/auth/user/",
    ]
    seen = {}
    for path in paths:
        page = watched(open_as, admin_user, path)
        seen[path] = violations(page)
        page.close()

    assert seen == {path: [] for path in paths}


def test_the_search_page_still_searches_as_you_type(open_as, admin_user, site):
    page = watched(open_as, admin_user, "/search/")

    page.locator("#search-input").press_sequentially("billing", delay=20)
    page.locator("#search-results .result-link").first.wait_for()

    assert "analytics.billing_daily" in page.locator("#search-results").inner_text()
    assert violations(page) == []


def test_the_lineage_graph_still_draws(open_as, admin_user, site):
    page = watched(open_as, admin_user, f"/lineage/?urn={site['table'].urn}")

    page.wait_for_selector("html[data-lineage=ready]")

    assert page.locator("svg.lineage-graph .node").count() >= 1
    assert violations(page) == []


def test_the_api_docs_still_render(open_as, admin_user, site):
    page = watched(open_as, admin_user, "/api/docs/")

    page.wait_for_selector(".swagger-ui .info .title")

    assert "Tributary API" in page.locator(".swagger-ui .info .title").inner_text()
    assert violations(page) == []


def test_the_invite_page_copies_the_new_link(open_as, admin_user, site):
    page = watched(open_as, admin_user, "/w/production/invites/")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])

    page.get_by_role("button", name="Create link").click()
    page.wait_for_load_state("networkidle")
    link = page.locator("#invite-link").input_value()
    page.get_by_role("button", name="Copy link").click()
    page.get_by_role("button", name="Copied").wait_for()

    assert "/invites/" in link
    assert page.evaluate("navigator.clipboard.readText()") == link
    assert violations(page) == []


def test_someone_new_signs_up_from_the_invite_link(chromium, live_server, admin_user, workspace):
    from accounts import invites
    from accounts.models import Membership

    issued = invites.create_invite(actor=admin_user, workspace=workspace, role="viewer")
    context = chromium.new_context(base_url=live_server.url)
    context.add_init_script(WATCH)
    page = context.new_page()
    try:
        page.goto(f"/invites/{issued.token}/")
        page.fill("input[name=username]", "nina-new")
        page.fill("input[name=email]", "nina@example.com")
        page.fill("input[name=password1]", "plum orchard at dusk 42")
        page.fill("input[name=password2]", "plum orchard at dusk 42")
        page.get_by_role("button", name="Create an account and join").click()
        page.wait_for_url(f"**/w/{workspace.slug}/")

        assert "Welcome, nina-new: you are a viewer of Production." in page.inner_text("main")
        assert violations(page) == []
    finally:
        context.close()
    assert Membership.objects.get(user__username="nina-new").role == "viewer"
