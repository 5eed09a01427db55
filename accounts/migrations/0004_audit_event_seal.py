"""Every audit event gets a seal (HMAC of its hash under AUDIT_SIGNING_KEY); the events
already written are sealed as they are found, since nothing older anchors them."""

from django.db import migrations, models

from accounts.audit import seal_of

TRIGGER = "accounts_auditevent_append_only"


def seal_existing(apps, schema_editor):
    AuditEvent = apps.get_model("accounts", "AuditEvent")
    postgres = schema_editor.connection.vendor == "postgresql"
    if postgres:
        schema_editor.execute(f"ALTER TABLE accounts_auditevent DISABLE TRIGGER {TRIGGER}")
    batch = []
    for event in AuditEvent.objects.order_by("id").only("id", "hash").iterator(chunk_size=2000):
        event.mac = seal_of(event.hash)
        batch.append(event)
        if len(batch) == 2000:
            AuditEvent.objects.bulk_update(batch, ["mac"])
            batch = []
    if batch:
        AuditEvent.objects.bulk_update(batch, ["mac"])
    if postgres:
        schema_editor.execute(f"ALTER TABLE accounts_auditevent ENABLE TRIGGER {TRIGGER}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_governance")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="mac",
            field=models.CharField(blank=True, default="", max_length=64),
        ),
        migrations.RunPython(seal_existing, migrations.RunPython.noop),
    ]
