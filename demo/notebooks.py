"""The demo's notebooks, and the order they run in to build the warehouse.

They run through Tributary's own notebook runtime (``execution.file_runs``: the same
program, kernel preparation and gateway as an app's run), e.g.::

    python manage.py load_demo      # builds the warehouse, runs PIPELINE, ingests the demo
"""

from __future__ import annotations

from pathlib import Path

DEMO_DIR = Path(__file__).resolve().parent
WORKSPACES_DIR = DEMO_DIR / "workspaces"

# Dependency order: the production pipeline, then the analytics pipeline (each notebook
# reads only raw tables or tables written before it).
PIPELINE: tuple[str, ...] = (
    "production/users/users_table.ipynb",
    "production/billing/denormalize_billing.ipynb",
    "analytics/metrics/weekly_active_users.ipynb",
    "analytics/experiments/onboarding_ab_test.ipynb",
    "analytics/models/churn_prediction.ipynb",
)
# The apps, published by load_demo; delete_user defaults to a dry run.
APPS: tuple[str, ...] = (
    "analytics/customer_360.deepnote",
    "production/apps/change_plan.deepnote",
    "production/apps/delete_user.ipynb",
)
DEMO_ORDER: tuple[str, ...] = PIPELINE + APPS


def pipeline_paths() -> list[Path]:
    return [WORKSPACES_DIR / rel for rel in PIPELINE]
