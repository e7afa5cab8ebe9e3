"""Check-ins and practices come from the participants app as they are: tables, rows and indexes
unchanged (``participants_checkin``, ``participants_practice`` and the practices' link table).

Only Django's picture of the models moves; their content types are renamed in place, so a
message whose subject is a check-in, and the models' permissions, still point at them.
"""

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models

from journease.model_moves import move_content_types


def _forwards(apps, schema_editor):
    move_content_types(
        apps,
        schema_editor,
        [(("participants", "checkin"), "followup"), (("participants", "practice"), "followup")],
    )


def _backwards(apps, schema_editor):
    move_content_types(
        apps,
        schema_editor,
        [(("followup", "checkin"), "participants"), (("followup", "practice"), "participants")],
    )


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("participants", "0006_audit_refuses_truncate"),
        ("sessions_app", "0011_session_sequence_label"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Practice",
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
                        ("code", models.SlugField(max_length=60, unique=True, verbose_name="code")),
                        ("name", models.CharField(max_length=120, verbose_name="name")),
                        (
                            "position",
                            models.PositiveSmallIntegerField(default=0, verbose_name="position"),
                        ),
                        ("is_active", models.BooleanField(default=True, verbose_name="active")),
                    ],
                    options={
                        "verbose_name": "practice",
                        "verbose_name_plural": "practices",
                        "db_table": "participants_practice",
                        "ordering": ["position", "name"],
                    },
                ),
                migrations.CreateModel(
                    name="CheckIn",
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
                            "public_id",
                            models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
                        ),
                        (
                            "kind",
                            models.CharField(
                                choices=[
                                    ("self_compassion", "Self-compassion practice"),
                                    ("somatic", "Somatic practice"),
                                    ("week", "One-week check-in"),
                                    ("month", "One-month check-in"),
                                ],
                                max_length=20,
                                verbose_name="kind",
                            ),
                        ),
                        ("opens_at", models.DateTimeField(verbose_name="opens")),
                        (
                            "completed_at",
                            models.DateTimeField(blank=True, null=True, verbose_name="answered"),
                        ),
                        (
                            "mood",
                            models.PositiveSmallIntegerField(
                                blank=True, null=True, verbose_name="mood (0-10)"
                            ),
                        ),
                        ("reflection", models.TextField(blank=True, verbose_name="reflection")),
                        (
                            "answers",
                            models.JSONField(
                                blank=True, default=dict, verbose_name="PHQ-9 and GAD-7 answers"
                            ),
                        ),
                        (
                            "phq9_total",
                            models.PositiveSmallIntegerField(
                                blank=True, null=True, verbose_name="PHQ-9 total"
                            ),
                        ),
                        (
                            "phq9_band",
                            models.CharField(
                                blank=True, max_length=30, verbose_name="PHQ-9 severity"
                            ),
                        ),
                        (
                            "gad7_total",
                            models.PositiveSmallIntegerField(
                                blank=True, null=True, verbose_name="GAD-7 total"
                            ),
                        ),
                        (
                            "gad7_band",
                            models.CharField(
                                blank=True, max_length=30, verbose_name="GAD-7 severity"
                            ),
                        ),
                        (
                            "wants_contact",
                            models.BooleanField(
                                default=False, verbose_name="would like to talk to someone"
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "enrollment",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="checkins",
                                to="sessions_app.enrollment",
                                verbose_name="after the session",
                            ),
                        ),
                        (
                            "participant",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="checkins",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="participant",
                            ),
                        ),
                        (
                            "safety_alert",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="checkins",
                                to="participants.safetyalert",
                                verbose_name="safety alert",
                            ),
                        ),
                        (
                            "practices",
                            models.ManyToManyField(
                                blank=True,
                                related_name="checkins",
                                to="followup.practice",
                                verbose_name="practices done",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "check-in",
                        "verbose_name_plural": "check-ins",
                        "db_table": "participants_checkin",
                        "ordering": ["opens_at", "pk"],
                        "indexes": [
                            models.Index(
                                fields=["participant", "opens_at"],
                                name="participant_partici_521e69_idx",
                            )
                        ],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("enrollment", "kind"), name="checkin_one_per_kind"
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("mood__isnull", True), ("mood__lte", 10), _connector="OR"
                                ),
                                name="checkin_mood_0_10",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("completed_at__isnull", True),
                                    ("mood__isnull", False),
                                    _connector="OR",
                                ),
                                name="checkin_answered_has_mood",
                            ),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(_forwards, _backwards),
    ]
