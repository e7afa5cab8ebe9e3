"""The notification model now belongs to the outbox app; its table stays (``outbox.0001``)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("sessions_app", "0011_session_sequence_label"),
        ("outbox", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name="Notification",
                ),
            ],
            database_operations=[],
        ),
    ]
