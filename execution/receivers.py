"""Execution follows the catalog: the demo's apps are published once the demo is loaded.

Connected in ``ExecutionConfig.ready``; the catalog never imports execution.
"""

from __future__ import annotations

from django.dispatch import receiver

from catalog.models import App
from catalog.signals import demo_loaded

# The demo's apps (see demo/README.md), declared by the workspaces' catalog.yml files.
DEMO_APPS = (
    ("production", "delete-user"),
    ("production", "change-plan"),
    ("analytics", "customer-360"),
)


@receiver(demo_loaded, dispatch_uid="execution-publish-demo-apps")
def publish_demo_apps(sender, **kwargs) -> list[App]:
    from execution.services import publish_app

    published = []
    for workspace, slug in DEMO_APPS:
        app = (
            App.objects.filter(workspace__slug=workspace, slug=slug)
            .select_related("workspace", "notebook", "notebook__current_version")
            .first()
        )
        if app is not None and app.notebook.current_version is not None:
            published.append(publish_app(actor=None, app=app))
    return published
