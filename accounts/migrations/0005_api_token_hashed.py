"""API tokens kept as their hash. The clear keys of DRF's authtoken table (an app no longer
installed) are hashed into the new table, so every token keeps working, and deleted."""

import hashlib

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

OLD_TABLE = "authtoken_token"


def hash_clear_tokens(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if OLD_TABLE not in connection.introspection.table_names(cursor):
            return
        cursor.execute(
            f"SELECT {connection.ops.quote_name('key')}, created, user_id FROM {OLD_TABLE}"
        )
        rows = cursor.fetchall()
        ApiToken = apps.get_model("accounts", "ApiToken")
        ApiToken.objects.bulk_create(
            ApiToken(key_hash=hashlib.sha256(key.encode()).hexdigest(), user_id=user_id)
            for key, _, user_id in rows
        )
        for key, created, _ in rows:  # auto_now_add would stamp them all "now"
            ApiToken.objects.filter(key_hash=hashlib.sha256(key.encode()).hexdigest()).update(
                created=created
            )
        cursor.execute(f"DELETE FROM {OLD_TABLE}")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_audit_event_seal"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ApiToken",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key_hash", models.CharField(max_length=64, unique=True)),
                ("created", models.DateTimeField(auto_now_add=True)),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="api_token",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.RunPython(hash_clear_tokens, migrations.RunPython.noop),
    ]
