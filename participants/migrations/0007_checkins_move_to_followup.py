"""Check-ins and practices now belong to the follow-up app; their tables stay (``followup.0001``)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0006_audit_refuses_truncate"),
        ("followup", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="checkin",
                    name="enrollment",
                ),
                migrations.RemoveField(
                    model_name="checkin",
                    name="participant",
                ),
                migrations.RemoveField(
                    model_name="checkin",
                    name="practices",
                ),
                migrations.RemoveField(
                    model_name="checkin",
                    name="safety_alert",
                ),
                migrations.DeleteModel(
                    name="Practice",
                ),
                migrations.DeleteModel(
                    name="CheckIn",
                ),
            ],
            database_operations=[],
        ),
    ]
