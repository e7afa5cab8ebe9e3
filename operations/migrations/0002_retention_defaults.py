"""The default retention policies a fresh installation starts with (never overwriting an edited
one). ``operations.services.retention.retention_defaults`` makes the same rows again after a
test flushes the tables; the days are written out here so this migration never changes."""

from django.db import migrations

DEFAULTS = {
    "message_content": 90,
    "message_records": None,
    "access_attempts": 365,
    "unverified_signups": 30,
    "expired_invitations": 30,
    "closed_accounts": 30,
    "expired_sessions": 7,
}


def seed(apps, schema_editor):
    RetentionPolicy = apps.get_model("operations", "RetentionPolicy")
    for kind, days in DEFAULTS.items():
        RetentionPolicy.objects.get_or_create(kind=kind, defaults={"days": days})


class Migration(migrations.Migration):
    dependencies = [("operations", "0001_retention_policy")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
