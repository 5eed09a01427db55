from __future__ import annotations

from django.apps import AppConfig


class LineageConfig(AppConfig):
    name = "lineage"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from catalog.assets.sections import register_section
        from catalog.search.usage import register_usage_source
        from lineage import receivers  # noqa: F401  (connects the signal receivers)
        from lineage.search_usage import dependent_counts

        register_section(
            slot="lineage", template="lineage/_asset_lineage.html", kinds=("table", "metric", "app")
        )
        # A table's history: every kind of change, lifecycle events (drop, rename...) included.
        register_section(slot="lineage", template="lineage/_table_history.html", kinds=("table",))
        register_usage_source("dependents", dependent_counts)
