from __future__ import annotations

from django.apps import AppConfig


class ExecutionConfig(AppConfig):
    name = "execution"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from catalog.assets.sections import register_section
        from catalog.search.usage import register_usage_source
        from execution.search_usage import run_counts

        register_section(slot="runs", template="execution/_asset_runs.html", kinds=("table", "app"))
        register_section(slot="run_form", template="execution/_app_run_form.html", kinds=("app",))
        register_usage_source("runs", run_counts)
        # The Celery tasks, registered in every process, not only in workers (which discover
        # them): the run service queues its task by name.
        from execution import tasks  # noqa: F401
        from execution.culler import set_job
        from execution.maintenance import cull_once

        set_job(cull_once)
