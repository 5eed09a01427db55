"""The search index forgets assets deleted by any means (admin, cascades, the shell)."""

from __future__ import annotations

from django.db.models.signals import post_delete
from django.dispatch import receiver

from catalog.models import App, Metric, Notebook, SearchDocument, Table


@receiver(post_delete, sender=Table, dispatch_uid="search-table-deleted")
def on_table_deleted(sender, instance, **kwargs) -> None:
    SearchDocument.objects.filter(kind__in=("table", "column"), object_id=instance.pk).delete()


@receiver(post_delete, sender=Notebook, dispatch_uid="search-notebook-deleted")
@receiver(post_delete, sender=Metric, dispatch_uid="search-metric-deleted")
@receiver(post_delete, sender=App, dispatch_uid="search-app-deleted")
def on_asset_deleted(sender, instance, **kwargs) -> None:
    kind = sender._meta.model_name
    kinds = ("notebook", "block") if kind == "notebook" else (kind,)
    SearchDocument.objects.filter(kind__in=kinds, object_id=instance.pk).delete()
