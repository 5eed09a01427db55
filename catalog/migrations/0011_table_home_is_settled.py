from django.db import migrations, models


def settle_defined_tables(apps, schema_editor):
    """A table some notebook defines today was first defined by its workspace."""
    Table = apps.get_model("catalog", "Table")
    Table.objects.filter(defined_by__isnull=False).update(home_is_settled=True)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0010_app_sql_warnings")]

    operations = [
        migrations.AddField(
            model_name="table",
            name="home_is_settled",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(settle_defined_tables, migrations.RunPython.noop),
    ]
