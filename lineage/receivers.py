"""Lineage follows the catalog: edges are replaced inside the catalog's own transactions.

Connected in `LineageConfig.ready`; the catalog never imports lineage.
"""

from __future__ import annotations

from contextlib import suppress

from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from catalog.models import App, Metric, Notebook, Table
from catalog.signals import notebook_deleted, notebook_version_stored
from lineage import services


@receiver(notebook_version_stored, dispatch_uid="lineage-version-stored")
def on_version_stored(sender, stored, resolver, **kwargs) -> None:
    services.replace_version_edges(stored, resolver)


@receiver(notebook_deleted, dispatch_uid="lineage-notebook-deleted")
def on_notebook_deleted(sender, notebook, **kwargs) -> None:
    services.remove_notebook_edges(notebook)


@receiver(post_delete, sender=Notebook, dispatch_uid="lineage-notebook-removed")
def on_notebook_removed(sender, instance, **kwargs) -> None:
    # The FK cascade took the edges it produced; derived edges naming it remain.
    with suppress(ObjectDoesNotExist):  # its workspace went first: so did every edge
        services.remove_notebook_edges(instance)


@receiver(post_save, sender=App, dispatch_uid="lineage-app-saved")
def on_app_saved(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        services.replace_app_edges(instance)


@receiver(post_save, sender=Metric, dispatch_uid="lineage-metric-saved")
def on_metric_saved(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        services.replace_metric_edges(instance)


@receiver(m2m_changed, sender=Metric.tables.through, dispatch_uid="lineage-metric-tables")
def on_metric_tables_changed(sender, instance, action, reverse, **kwargs) -> None:
    if action in ("post_add", "post_remove", "post_clear"):
        if reverse:  # table.metrics changed: every metric of the change
            for metric in Metric.objects.filter(pk__in=kwargs.get("pk_set") or ()):
                services.replace_metric_edges(metric)
        else:
            services.replace_metric_edges(instance)


@receiver(post_delete, sender=App, dispatch_uid="lineage-app-deleted")
@receiver(post_delete, sender=Metric, dispatch_uid="lineage-metric-deleted")
def on_asset_deleted(sender, instance, **kwargs) -> None:
    with suppress(ObjectDoesNotExist):
        services.remove_asset_edges(instance.urn)


@receiver(post_delete, sender=Table, dispatch_uid="lineage-table-deleted")
def on_table_deleted(sender, instance, **kwargs) -> None:
    # Its NotebookTable rows went with it, and so did the edges the graph derives from them.
    transaction.on_commit(services.bump_stamp)


@receiver(post_save, sender=Table, dispatch_uid="lineage-table-saved")
def on_table_saved(sender, instance, update_fields=None, raw=False, **kwargs) -> None:
    # The table's workspace decides its lane and who else may see it: rebuild the graph,
    # once the save has committed (so that no lock is taken in the table's transaction).
    if not raw and (update_fields is None or "workspace" in update_fields):
        transaction.on_commit(services.bump_stamp)
