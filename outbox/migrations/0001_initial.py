"""The outbox's table comes from the sessions app as it is: rows, name and indexes unchanged.

Only Django's picture of the model moves (``SeparateDatabaseAndState``); its content type is
renamed in place, so messages about a message and the model's permissions still find it.
"""

import django.db.models.deletion
import outbox.kinds
from django.conf import settings
from django.db import migrations, models

from journease.model_moves import move_content_types


def _forwards(apps, schema_editor):
    move_content_types(apps, schema_editor, [(("sessions_app", "notification"), "outbox")])


def _backwards(apps, schema_editor):
    move_content_types(apps, schema_editor, [(("outbox", "notification"), "sessions_app")])


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("sessions_app", "0011_session_sequence_label"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Notification",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=outbox.kinds.kind_choices,
                                max_length=40,
                                verbose_name="kind",
                            ),
                        ),
                        (
                            "channel",
                            models.CharField(
                                choices=[("email", "E-mail"), ("sms", "Text message")],
                                default="email",
                                max_length=10,
                                verbose_name="channel",
                            ),
                        ),
                        (
                            "subject_id",
                            models.PositiveBigIntegerField(verbose_name="concerns (id)"),
                        ),
                        (
                            "context",
                            models.JSONField(blank=True, default=dict, verbose_name="details"),
                        ),
                        ("due_at", models.DateTimeField(verbose_name="due")),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "Pending"),
                                    ("sending", "Sending"),
                                    ("sent", "Sent"),
                                    ("failed", "Failed"),
                                    ("cancelled", "Cancelled"),
                                    ("skipped", "Skipped"),
                                ],
                                default="pending",
                                max_length=10,
                                verbose_name="status",
                            ),
                        ),
                        (
                            "attempts",
                            models.PositiveIntegerField(default=0, verbose_name="attempts"),
                        ),
                        (
                            "next_attempt_at",
                            models.DateTimeField(
                                blank=True, null=True, verbose_name="next attempt"
                            ),
                        ),
                        (
                            "claimed_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="claimed"),
                        ),
                        (
                            "claim_token",
                            models.UUIDField(
                                blank=True, editable=False, null=True, verbose_name="claim token"
                            ),
                        ),
                        (
                            "sent_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="sent"),
                        ),
                        ("last_error", models.TextField(blank=True, verbose_name="last error")),
                        (
                            "created_at",
                            models.DateTimeField(auto_now_add=True, verbose_name="created"),
                        ),
                        ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated")),
                        (
                            "recipient",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notifications",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="recipient",
                            ),
                        ),
                        (
                            "subject_type",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                to="contenttypes.contenttype",
                                verbose_name="concerns (type)",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "notification",
                        "verbose_name_plural": "notifications",
                        "db_table": "sessions_app_notification",
                        "ordering": ["-due_at", "-pk"],
                        "indexes": [
                            models.Index(
                                fields=["status", "due_at"], name="notification_status_due_idx"
                            ),
                            models.Index(
                                fields=["subject_type", "subject_id"],
                                name="notification_subject_idx",
                            ),
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                condition=models.Q(("status", "pending")),
                                fields=(
                                    "recipient",
                                    "kind",
                                    "channel",
                                    "subject_type",
                                    "subject_id",
                                ),
                                name="notification_one_pending_per_subject",
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(_forwards, _backwards),
    ]
