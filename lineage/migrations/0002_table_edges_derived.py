"""Table usage is stored once, as the catalog's NotebookTable rows (with the blocks that use
each table, filled by catalog 0008): the graph derives block <-> table and notebook ->
notebook edges from them, so the copies stored as edges go."""

import secrets

from django.db import migrations

DERIVED = ("reads", "writes", "notebook")


def forward(apps, schema_editor):
    apps.get_model("lineage", "LineageEdge").objects.filter(kind__in=DERIVED).delete()
    Stamp = apps.get_model("lineage", "LineageStamp")
    Stamp.objects.update_or_create(pk=1, defaults={"value": secrets.randbits(62)})


def backward(apps, schema_editor):
    # `manage.py rebuild_lineage` on the code of that time brings the stored copies back.
    pass


class Migration(migrations.Migration):
    dependencies = [
        ("lineage", "0001_edges"),
        ("catalog", "0008_notebook_lineage"),
    ]

    operations = [migrations.RunPython(forward, backward)]
