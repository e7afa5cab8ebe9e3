"""Models that changed app keep their tables, rows and subjects (outbox.0001, followup.0001).

``Notification`` went from the sessions app to the outbox, ``CheckIn`` and ``Practice`` from the
participants app to the follow-up app; only Django's picture of them moved, and their content
types were renamed in place. A database filled under the old schema is migrated forward here and
every row and every subject is found again: a message about a check-in, a report about a failed
message, a permission on check-ins. The way back is walked once too.

Each test leaves the database fully migrated, whatever happens, so the tests after it in the same
process have the whole schema; pytest-django's flush then empties it as after any transactional
test. No test goes back past participants.0006, so on PostgreSQL the audit log's TRUNCATE trigger
stays in place throughout and that flush gets through it as tests/audit_flush.py arranges.
"""

import datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from followup.models import CheckIn, Practice
from outbox.models import Notification, NotificationStatus
from participants.models import Role, User
from participants.services.failed_messages import failed_messages_report
from sessions_app.models import Enrollment
from tests.factories import CheckInFactory, PracticeFactory, StaffFactory

# The schema before the moves. Unapplying an app (``None``) also unapplies what depends on it:
# outbox.0001 takes sessions_app.0012 with it, followup.0001 takes participants.0007. The two
# named migrations stay applied (participants.0006 is the audit log's TRUNCATE trigger).
BEFORE_THE_MOVES = [
    ("sessions_app", "0011_session_sequence_label"),
    ("participants", "0006_audit_refuses_truncate"),
    ("outbox", None),
    ("followup", None),
]
MOVES_MIGRATIONS = {
    ("outbox", "0001_initial"),
    ("sessions_app", "0012_notification_moves_to_outbox"),
    ("followup", "0001_initial"),
    ("participants", "0007_checkins_move_to_followup"),
}
# (old app label, model) -> new app label
MOVED = {
    ("sessions_app", "notification"): "outbox",
    ("participants", "checkin"): "followup",
    ("participants", "practice"): "followup",
}
TABLES = (
    "sessions_app_notification",
    "participants_checkin",
    "participants_practice",
    "participants_checkin_practices",
)


def migrate_to(targets) -> MigrationExecutor:
    """Apply or unapply migrations up to ``targets``; returns an executor that sees the result.

    Content types are cached per process; a deployment starts new processes after migrating, so
    the cache is emptied here too.
    """
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(targets)
    if plan:  # an empty plan would still render the whole project state
        executor.migrate(targets, plan=plan)
        ContentType.objects.clear_cache()
        executor = MigrationExecutor(connection)
    return executor


def leaf_nodes() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def old_schema_apps(executor: MigrationExecutor):
    """The historical models as they were before the moves (``None`` targets name no node)."""
    return executor.loader.project_state(
        [target for target in BEFORE_THE_MOVES if target[1] is not None]
    ).apps


def applied() -> set[tuple[str, str]]:
    return set(MigrationRecorder(connection).applied_migrations())


# Columns later migrations added to moved tables (after the moves; going back removes them).
LATER_COLUMNS = {
    "participants_checkin": {"instrument_languages"},
    "participants_practice": {"name_es"},
}


def table_shapes() -> dict[str, tuple[list[str], list[str]]]:
    """Each moved table's columns and constraint names: a move must not touch them."""
    introspection = connection.introspection
    with connection.cursor() as cursor:
        return {
            table: (
                sorted(
                    column.name
                    for column in introspection.get_table_description(cursor, table)
                    if column.name not in LATER_COLUMNS.get(table, ())
                ),
                sorted(
                    name
                    for name, constraint in introspection.get_constraints(cursor, table).items()
                    # SQLite checks a JSON column's values: a later column's constraint too.
                    if not set(constraint["columns"] or ()) & LATER_COLUMNS.get(table, set())
                ),
            )
            for table in TABLES
        }


def content_type_ids(content_type_model) -> dict[tuple[str, str], int]:
    return {(row.app_label, row.model): row.pk for row in content_type_model.objects.order_by("pk")}


def rows(model) -> list[dict]:
    return list(model.objects.order_by("pk").values())


def in_columns_of(old_rows: list[dict], new_rows: list[dict]) -> list[dict]:
    """``new_rows`` cut to the columns the old schema has: later migrations add others (a
    check-in's instrument languages, a practice's Spanish name), which the moves never touch."""
    columns = old_rows[0].keys() if old_rows else ()
    return [{column: row[column] for column in columns} for row in new_rows]


@pytest.fixture
def full_schema_afterwards(transactional_db):
    """The database is fully migrated again when the test ends, even when it failed halfway."""
    try:
        yield
    finally:
        migrate_to(leaf_nodes())


def fill_old_schema(old_apps) -> dict[str, int]:
    """Rows as a database running the old code holds them; returns their ids by name."""
    OldContentType = old_apps.get_model("contenttypes", "ContentType")
    OldPermission = old_apps.get_model("auth", "Permission")
    OldGroup = old_apps.get_model("auth", "Group")
    OldUser = old_apps.get_model("participants", "User")
    OldSessionType = old_apps.get_model("sessions_app", "SessionType")
    OldRoom = old_apps.get_model("sessions_app", "Room")
    OldGroupSession = old_apps.get_model("sessions_app", "GroupSession")
    OldEnrollment = old_apps.get_model("sessions_app", "Enrollment")
    OldNotification = old_apps.get_model("sessions_app", "Notification")
    OldCheckIn = old_apps.get_model("participants", "CheckIn")
    OldPractice = old_apps.get_model("participants", "Practice")

    # The content types an old database has (post_migrate under the old code made them), and
    # none under the new labels. Unapplying the moves has already renamed this test database's
    # rows back; this only fills what that left out.
    for (old_label, model), new_label in MOVED.items():
        OldContentType.objects.filter(app_label=new_label, model=model).delete()
        OldContentType.objects.get_or_create(app_label=old_label, model=model)

    def content_type(app_label: str, model: str):
        return OldContentType.objects.get_or_create(app_label=app_label, model=model)[0]

    checkin_type = content_type("participants", "checkin")
    view_checkin, _created = OldPermission.objects.get_or_create(
        content_type=checkin_type, codename="view_checkin", defaults={"name": "Can view check-in"}
    )

    now = timezone.now()
    participant = OldUser.objects.create(
        email="river.moves@example.org",
        first_name="River",
        last_name="Moves",
        password="!",
        email_verified_at=now - datetime.timedelta(days=40),
    )
    admin = OldUser.objects.create(
        email="ada.moves@example.org",
        first_name="Ada",
        last_name="Moves",
        password="!",
        is_staff=True,
    )
    admin.groups.add(OldGroup.objects.get_or_create(name=Role.ADMIN.value)[0])
    clinician = OldUser.objects.create(
        email="cleo.moves@example.org", first_name="Cleo", last_name="Moves", password="!"
    )
    clinician.user_permissions.add(view_checkin)

    session_type = OldSessionType.objects.create(name="Dosing circle (moves)", kind="dosing")
    room = OldRoom.objects.create(name="Cedar room (moves)", capacity=8)
    starts_at = now - datetime.timedelta(days=8)
    session = OldGroupSession.objects.create(
        title="Autumn circle",
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(hours=6),
        capacity=8,
        status="completed",
        room=room,
        session_type=session_type,
    )
    enrollment = OldEnrollment.objects.create(
        participant=participant,
        session=session,
        status="attended",
        attendance_recorded_at=starts_at + datetime.timedelta(hours=6),
    )
    practice = OldPractice.objects.create(
        code="moves-breathing", name="Counting breaths", position=7
    )
    OldPractice.objects.create(code="moves-walking", name="Slow walking", position=8)
    checkin = OldCheckIn.objects.create(
        participant=participant,
        enrollment=enrollment,
        kind="week",
        opens_at=starts_at + datetime.timedelta(days=7),
        completed_at=now - datetime.timedelta(hours=2),
        mood=6,
        reflection="Slept better this week.",
        answers={"phq9_1": 1, "gad7_1": 0},
        phq9_total=4,
        phq9_band="minimal",
        gad7_total=3,
        gad7_band="minimal",
        wants_contact=True,
    )
    checkin.practices.add(practice)

    about_enrollment = OldNotification.objects.create(
        recipient=participant,
        kind="reminder_soon",
        subject_type=content_type("sessions_app", "enrollment"),
        subject_id=enrollment.pk,
        context={"path": "/sessions/"},
        due_at=starts_at - datetime.timedelta(hours=2),
        status="sent",
        attempts=1,
        sent_at=starts_at - datetime.timedelta(hours=2),
    )
    about_checkin = OldNotification.objects.create(
        recipient=participant,
        kind="checkin_week",
        channel="sms",
        subject_type=checkin_type,
        subject_id=checkin.pk,
        due_at=checkin.opens_at,
    )
    about_user = OldNotification.objects.create(
        recipient=admin,
        kind="staff_account_closed",
        subject_type=content_type("participants", "user"),
        subject_id=participant.pk,
        due_at=now - datetime.timedelta(days=1),
        status="failed",
        attempts=5,
        last_error="550 mailbox unavailable",
    )
    # The failed message report: its subject is the failed row itself.
    report = OldNotification.objects.create(
        recipient=admin,
        kind="staff_message_failed",
        subject_type=content_type("sessions_app", "notification"),
        subject_id=about_user.pk,
        context={"path": "/staff/messages/failed/"},
        due_at=now - datetime.timedelta(hours=20),
    )
    return {
        "participant": participant.pk,
        "admin": admin.pk,
        "clinician": clinician.pk,
        "enrollment": enrollment.pk,
        "practice": practice.pk,
        "checkin": checkin.pk,
        "view_checkin": view_checkin.pk,
        "about_enrollment": about_enrollment.pk,
        "about_checkin": about_checkin.pk,
        "about_user": about_user.pk,
        "report": report.pk,
    }


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("full_schema_afterwards")
def test_a_database_filled_under_the_old_schema_keeps_every_row_and_subject():
    shapes = table_shapes()
    executor = migrate_to(BEFORE_THE_MOVES)
    assert not MOVES_MIGRATIONS & applied()
    assert {target for target in BEFORE_THE_MOVES if target[1] is not None} <= applied()
    assert table_shapes() == shapes

    old_apps = old_schema_apps(executor)
    ids = fill_old_schema(old_apps)
    OldContentType = old_apps.get_model("contenttypes", "ContentType")
    old_types = content_type_ids(OldContentType)
    assert not {(new, model) for (_old, model), new in MOVED.items()} & old_types.keys()
    before = {
        "notifications": rows(old_apps.get_model("sessions_app", "Notification")),
        "checkins": rows(old_apps.get_model("participants", "CheckIn")),
        "practices": rows(old_apps.get_model("participants", "Practice")),
        "links": rows(old_apps.get_model("participants", "CheckIn").practices.through),
    }

    migrate_to(leaf_nodes())
    # As ``manage.py migrate`` does after migrating: it makes any content type or permission
    # still missing, and must find them all.
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
    ContentType.objects.clear_cache()

    assert applied() >= MOVES_MIGRATIONS
    assert table_shapes() == shapes

    # Every row, with its id and values.
    assert rows(Notification) == before["notifications"]
    assert in_columns_of(before["checkins"], rows(CheckIn)) == before["checkins"]
    assert in_columns_of(before["practices"], rows(Practice)) == before["practices"]
    assert rows(CheckIn.practices.through) == before["links"]
    # ...and the columns added since the moves hold their defaults.
    assert CheckIn.objects.get(pk=ids["checkin"]).instrument_languages == {}
    assert Practice.objects.get(pk=ids["practice"]).name_es == ""

    # The content types were renamed, not replaced: same ids, new labels, no old label left.
    now_types = content_type_ids(ContentType)
    for (old_label, model), new_label in MOVED.items():
        assert now_types.get((new_label, model)) == old_types[(old_label, model)]
        assert (old_label, model) not in now_types
    notification_type = old_types[("sessions_app", "notification")]
    assert ContentType.objects.get_for_model(Notification).pk == notification_type
    assert ContentType.objects.get_for_model(CheckIn).pk == old_types[("participants", "checkin")]
    assert ContentType.objects.get_for_model(Practice).pk == old_types[("participants", "practice")]

    # Every subject resolves to the right object of the right (current) model.
    subjects = {
        name: Notification.objects.get(pk=ids[name]).subject
        for name in ("about_enrollment", "about_checkin", "about_user", "report")
    }
    assert type(subjects["about_enrollment"]) is Enrollment
    assert subjects["about_enrollment"].pk == ids["enrollment"]
    assert type(subjects["about_checkin"]) is CheckIn
    assert subjects["about_checkin"].pk == ids["checkin"]
    assert type(subjects["about_user"]) is User
    assert subjects["about_user"].pk == ids["participant"]
    assert type(subjects["report"]) is Notification
    assert subjects["report"].pk == ids["about_user"]
    assert subjects["report"].status == NotificationStatus.FAILED

    # The check-in keeps its practices, seen from both sides.
    checkin = CheckIn.objects.get(pk=ids["checkin"])
    assert list(checkin.practices.values_list("pk", flat=True)) == [ids["practice"]]
    assert list(Practice.objects.get(pk=ids["practice"]).checkins.all()) == [checkin]

    # The app's own code finds the report through the renamed type: the failed message is not
    # reported a second time.
    assert failed_messages_report() == 0
    assert Notification.objects.filter(kind="staff_message_failed").count() == 1

    # Permissions followed their content type: one set, under the new label.
    view_checkin = Permission.objects.get(pk=ids["view_checkin"])
    assert view_checkin.content_type == ContentType.objects.get_for_model(CheckIn)
    assert view_checkin.content_type.app_label == "followup"
    checkin_codenames = list(
        Permission.objects.filter(content_type__model="checkin").values_list(
            "content_type__app_label", "codename"
        )
    )
    assert sorted(checkin_codenames) == [
        ("followup", f"{action}_checkin") for action in ("add", "change", "delete", "view")
    ]
    clinician = User.objects.get(pk=ids["clinician"])
    assert clinician.has_perm("followup.view_checkin")
    assert not clinician.has_perm("participants.view_checkin")


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("full_schema_afterwards", "roles")
def test_unapplying_the_moves_gives_the_content_types_back_their_old_labels():
    checkin = CheckInFactory()
    practice = PracticeFactory(code="moves-back")
    checkin.practices.add(practice)
    clinician = StaffFactory(role=Role.CLINICIAN)
    view_checkin = Permission.objects.get(
        content_type__app_label="followup", codename="view_checkin"
    )
    clinician.user_permissions.add(view_checkin)
    admin = StaffFactory(role=Role.ADMIN)
    about_checkin = Notification.objects.create(
        recipient=checkin.participant, kind="checkin_week", subject=checkin, due_at=timezone.now()
    )
    report = Notification.objects.create(
        recipient=admin, kind="staff_message_failed", subject=about_checkin, due_at=timezone.now()
    )
    new_types = content_type_ids(ContentType)
    before = {
        "notifications": rows(Notification),
        "checkins": rows(CheckIn),
        "practices": rows(Practice),
        "links": rows(CheckIn.practices.through),
    }

    old_apps = old_schema_apps(migrate_to(BEFORE_THE_MOVES))

    assert not MOVES_MIGRATIONS & applied()
    OldContentType = old_apps.get_model("contenttypes", "ContentType")
    old_types = content_type_ids(OldContentType)
    for (old_label, model), new_label in MOVED.items():
        assert old_types.get((old_label, model)) == new_types[(new_label, model)]
        assert (new_label, model) not in old_types
    OldNotification = old_apps.get_model("sessions_app", "Notification")
    OldCheckIn = old_apps.get_model("participants", "CheckIn")
    assert rows(OldNotification) == before["notifications"]
    old_checkins = rows(OldCheckIn)
    assert old_checkins == in_columns_of(old_checkins, before["checkins"])
    old_practices = rows(old_apps.get_model("participants", "Practice"))
    assert old_practices == in_columns_of(old_practices, before["practices"])
    assert rows(OldCheckIn.practices.through) == before["links"]

    def subject_of(pk: int):
        """What the old code's generic foreign key reads: the type's model, then the row."""
        row = OldNotification.objects.get(pk=pk)
        subject_type = OldContentType.objects.get(pk=row.subject_type_id)
        model = old_apps.get_model(subject_type.app_label, subject_type.model)
        return model, model.objects.get(pk=row.subject_id)

    assert subject_of(about_checkin.pk) == (OldCheckIn, OldCheckIn.objects.get(pk=checkin.pk))
    assert subject_of(report.pk) == (
        OldNotification,
        OldNotification.objects.get(pk=about_checkin.pk),
    )
    OldPermission = old_apps.get_model("auth", "Permission")
    old_checkin_type = old_types[("participants", "checkin")]
    assert OldPermission.objects.get(pk=view_checkin.pk).content_type_id == old_checkin_type
    OldUser = old_apps.get_model("participants", "User")
    assert list(
        OldUser.objects.get(pk=clinician.pk).user_permissions.values_list(
            "content_type__app_label", "codename"
        )
    ) == [("participants", "view_checkin")]

    # And forward again: back where the test started.
    migrate_to(leaf_nodes())
    assert content_type_ids(ContentType) == new_types
    assert Notification.objects.get(pk=report.pk).subject == about_checkin
    assert Notification.objects.get(pk=about_checkin.pk).subject == checkin


# The new code may run before ``migrate`` does (workers started on it against an old database:
# the tables are the same) and make the new content types at its first message or permission
# check. Migrating then finds both rows: what points at the new one is merged into the old one,
# which takes its label, so no message, permission grant or subject is lost.
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("full_schema_afterwards")
def test_rows_made_under_the_new_labels_before_migrate_are_kept():
    executor = migrate_to(BEFORE_THE_MOVES)
    old_apps = old_schema_apps(executor)
    ids = fill_old_schema(old_apps)
    OldContentType = old_apps.get_model("contenttypes", "ContentType")
    OldPermission = old_apps.get_model("auth", "Permission")
    OldNotification = old_apps.get_model("sessions_app", "Notification")
    OldGroup = old_apps.get_model("auth", "Group")
    old_checkin_type = OldContentType.objects.get(app_label="participants", model="checkin")

    # What the new code made before migrate ran: its own content type for check-ins, a message
    # about the check-in under it, and a grant of its own view permission to a group.
    early_type = OldContentType.objects.create(app_label="followup", model="checkin")
    early_view = OldPermission.objects.create(
        content_type=early_type, codename="view_checkin", name="Can view check-in"
    )
    early_change = OldPermission.objects.create(
        content_type=early_type, codename="annotate_checkin", name="Can annotate check-in"
    )
    nurses = OldGroup.objects.create(name="Night nurses (moves)")
    nurses.permissions.add(early_view, early_change)
    due = timezone.now() + datetime.timedelta(days=1)
    planned_early = OldNotification.objects.create(
        recipient_id=ids["participant"],
        kind="checkin_nudge",
        subject_type=early_type,
        subject_id=ids["checkin"],
        due_at=due,
    )
    # The same nudge, planned by the old code too: one of the two pending twins must give way.
    twin_early = OldNotification.objects.create(
        recipient_id=ids["participant"],
        kind="checkin_week",
        channel="email",
        subject_type=early_type,
        subject_id=ids["checkin"],
        due_at=due,
    )
    twin_old = OldNotification.objects.create(
        recipient_id=ids["participant"],
        kind="checkin_week",
        channel="email",
        subject_type=old_checkin_type,
        subject_id=ids["checkin"],
        due_at=due,
    )

    migrate_to(leaf_nodes())

    checkin_type = ContentType.objects.get(app_label="followup", model="checkin")
    assert checkin_type.pk == old_checkin_type.pk  # the old row kept its id and took the label
    assert not ContentType.objects.filter(pk=early_type.pk).exists()
    assert not ContentType.objects.filter(app_label="participants", model="checkin").exists()

    kept = Notification.objects.get(pk=planned_early.pk)
    assert kept.status == NotificationStatus.PENDING
    assert kept.subject_type_id == checkin_type.pk
    assert isinstance(kept.subject, CheckIn) and kept.subject.pk == ids["checkin"]
    assert Notification.objects.get(pk=twin_old.pk).status == NotificationStatus.PENDING
    assert Notification.objects.get(pk=twin_early.pk).status == NotificationStatus.CANCELLED

    group = Group.objects.get(pk=nurses.pk)
    assert set(group.permissions.values_list("content_type__app_label", "codename")) == {
        ("followup", "view_checkin"),
        ("followup", "annotate_checkin"),
    }
    # The twin permission was merged into the old one (same id as before), not duplicated.
    assert group.permissions.get(codename="view_checkin").pk == ids["view_checkin"]
    nurse = User.objects.create_user(email="noor.moves@example.org", password="x" * 20)
    nurse.groups.add(group)
    nurse = User.objects.get(pk=nurse.pk)
    assert nurse.has_perm("followup.view_checkin")
    assert nurse.has_perm("followup.annotate_checkin")
