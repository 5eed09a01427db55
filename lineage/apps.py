from __future__ import annotations

from django.apps import AppConfig


class LineageConfig(AppConfig):
    name = "lineage"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from catalog.assets.sections import register_section
        from lineage import receivers  # noqa: F401  (connects the signal receivers)

        register_section(
            slot="lineage", template="lineage/_asset_lineage.html", kinds=("table", "metric", "app")
        )
        # A table's history: every kind of change, lifecycle events (drop, rename...) included.
        register_section(slot="lineage", template="lineage/_table_history.html", kinds=("table",))
