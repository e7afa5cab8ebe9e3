"""Retention as data: the daily run purges what its policies say, in batches, once, with one audit
row; it never touches a clinical record, the audit log or a message not yet delivered; the
policies are edited in Django admin, every change audited, and no clinical kind can be chosen."""

import datetime
import threading
from io import StringIO

import pytest
import time_machine
from axes.models import AccessAttempt, AccessLog
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts.models import CohortMember
from demo.sessions import seed_demo
from operations import tasks
from operations.models import SIX_YEARS_DAYS, RetentionKind, RetentionPolicy
from operations.services.retention import (
    AUDIT_RECORD,
    daily_run_key,
    retention_apply,
    retention_defaults,
)
from outbox.models import Notification, NotificationStatus
from participants.models import AuditEvent, Role, User
from participants.services.accounts import participant_signup
from participants.services.data_export import participant_account_close
from participants.services.retention import CLINICAL_MODELS
from participants.services.staff import staff_invite
from sessions_app.calendars import calendar_feed_for
from sessions_app.models import CalendarFeed, Enrollment
from tests import factories
from tests.outbox import delivered

pytestmark = pytest.mark.django_db

# The models whose rows a run may remove or change; every other table keeps every row.
PURGEABLE = {
    "outbox.Notification",
    "participants.User",
    "participants.ParticipantProfile",
    "participants.User_groups",
    "participants.User_user_permissions",
    "sessions.Session",
    "sessions_app.CalendarFeed",
    "axes.AccessAttempt",
    "axes.AccessLog",
    "axes.AccessFailureLog",
    "axes.AccessAttemptExpiration",
    "participants.AuditEvent",  # one row more per run, none fewer (checked on its own)
}


def row_counts() -> dict[str, int]:
    counts = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.label not in PURGEABLE:
            counts[model._meta.label] = model._base_manager.count()
    return counts


def days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def message(*, recipient=None, status=NotificationStatus.SENT, sent_at=None) -> Notification:
    """An outbox row in ``status``, with details in its context."""
    recipient = recipient or factories.ParticipantFactory()
    return Notification.objects.create(
        recipient=recipient,
        kind="account_verify_email",
        subject=recipient,
        due_at=sent_at or timezone.now(),
        status=status,
        sent_at=sent_at if status == NotificationStatus.SENT else None,
        context={"path": "/me/", "status": "approved"},
    )


@pytest.fixture
def policies(db):
    """The default policies (a transactional test elsewhere may have flushed the seeded rows)."""
    retention_defaults()


def run_rows():
    return list(AuditEvent.objects.filter(record_type=AUDIT_RECORD).order_by("pk"))


def session_of(user: User) -> str:
    store = SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    store.create()
    return store.session_key


# --- On the demo data, with the clock moved forward ----------------------------------------------


@pytest.mark.clock("2027-01-04 09:00")
def test_retention_on_demo_data_purges_its_kinds_and_keeps_every_record(roles, policies):
    seed_demo()
    delivered()  # what is due now is sent, so the outbox holds delivered and pending rows
    start = timezone.now()
    unverified = participant_signup(
        email="never-confirmed@example.org",
        password=factories.TEST_PASSWORD,
        first_name="Nora",
        last_name="Never",
        date_of_birth=datetime.date(1990, 1, 1),
    )
    # An unconfirmed sign-up holding a record (a screening draft) is kept.
    unverified_with_record = factories.ParticipantFactory(email_verified_at=None)
    factories.ScreeningFactory(participant=unverified_with_record)
    invited = staff_invite(
        email="invited@example.org", first_name="Ivy", last_name="Invited", role=Role.COORDINATOR
    )
    closing = factories.ParticipantFactory()
    factories.SafetyAlertFactory(participant=closing)  # a closed account keeps its records
    feed = calendar_feed_for(participant=closing)
    closed_session = session_of(closing)
    open_session = session_of(factories.ParticipantFactory())
    participant_account_close(participant=closing)
    AccessAttempt.objects.create(
        username="x@example.org", ip_address="10.0.0.1", failures_since_start=1
    )
    AccessLog.objects.create(username="y@example.org", ip_address="10.0.0.2")
    failed = message(recipient=closing, status=NotificationStatus.FAILED)
    delivered_before = set(
        Notification.objects.filter(status=NotificationStatus.SENT).values_list("pk", flat=True)
    )
    assert delivered_before
    pending = dict(
        Notification.objects.filter(status=NotificationStatus.PENDING)
        .exclude(recipient__in=[unverified, invited])
        .values_list("pk", "context")
    )
    assert pending  # the demo's reminders to come
    to_clear = (
        Notification.objects.filter(status__in=["sent", "cancelled", "skipped"])
        .exclude(context={})
        .count()
    )
    before = row_counts()
    for model in (*CLINICAL_MODELS.values(), Enrollment, CohortMember):
        assert before[model._meta.label] > 0, model  # every kind of record is there
    audit_before = AuditEvent.objects.count()

    with time_machine.travel(start + days(400), tick=False):
        outcomes = {o.kind: o.purged for o in retention_apply()}
        again = {o.kind: o.purged for o in retention_apply()}

    assert outcomes[RetentionKind.UNVERIFIED_SIGNUPS] == 1
    assert outcomes[RetentionKind.EXPIRED_INVITATIONS] == 1
    assert outcomes[RetentionKind.ACCESS_ATTEMPTS] == 2
    assert outcomes[RetentionKind.CLOSED_ACCOUNTS] == 2  # the feed and the session
    assert outcomes[RetentionKind.MESSAGE_CONTENT] == to_clear
    assert outcomes[RetentionKind.MESSAGE_RECORDS] is None  # kept indefinitely by default
    assert set(again.values()) <= {0, None}  # idempotent: nothing more the second time

    assert not User.objects.filter(pk__in=[unverified.pk, invited.pk]).exists()
    assert User.objects.filter(pk__in=[unverified_with_record.pk, closing.pk]).count() == 2
    assert not CalendarFeed.objects.filter(pk=feed.pk).exists()
    assert not Session.objects.filter(session_key=closed_session).exists()
    assert not Session.objects.filter(session_key=open_session).exists()  # expired long ago
    assert outcomes[RetentionKind.EXPIRED_SESSIONS] >= 1
    assert not AccessAttempt.objects.exists() and not AccessLog.objects.exists()

    # Delivered messages stay as the record, without their details.
    kept = Notification.objects.filter(pk__in=delivered_before)
    assert kept.count() == len(delivered_before)
    assert all(row.context == {} and row.sent_at for row in kept)
    # Messages not yet delivered are untouched, a failed one (an admin may retry it) included.
    still = dict(Notification.objects.filter(pk__in=pending).values_list("pk", "context"))
    assert still == pending
    assert Notification.objects.filter(pk__in=pending, status="pending").count() == len(pending)
    failed.refresh_from_db()
    assert failed.status == NotificationStatus.FAILED and failed.context

    # Every clinical record and every other table is whole; the audit log only grew by the runs.
    assert row_counts() == before
    assert AuditEvent.objects.count() == audit_before + 2
    first, second = run_rows()[-2:]
    assert first.actor is None and first.action == "delete"
    assert "unverified_signups: 1 (30 days)" in first.note
    assert "message_records: kept indefinitely" in first.note
    assert "unverified_signups: 0" in second.note
    assert "@" not in first.note and "Nora" not in first.note  # counts only, no names


@pytest.mark.clock("2027-01-04 09:00")
def test_nothing_is_purged_before_its_days(roles, policies):
    row = message(sent_at=timezone.now())
    signup = factories.ParticipantFactory(email_verified_at=None)
    # 32 days: less than a message's 90, less than a sign-up's 30 after its 3-day link.
    with time_machine.travel(timezone.now() + days(32), tick=False):
        outcomes = {o.kind: o.purged for o in retention_apply()}
    assert outcomes[RetentionKind.MESSAGE_CONTENT] == 0
    assert outcomes[RetentionKind.UNVERIFIED_SIGNUPS] == 0
    row.refresh_from_db()
    assert row.context
    assert User.objects.filter(pk=signup.pk).exists()


def test_closed_accounts_lose_sessions_and_feeds_and_keep_their_records(roles, policies):
    active, closed = factories.ParticipantFactory(), factories.ParticipantFactory()
    for person in (active, closed):
        calendar_feed_for(participant=person)
        session_of(person)
    factories.ScreeningFactory(participant=closed)
    participant_account_close(participant=closed)
    with time_machine.travel(timezone.now() + days(31), tick=False):
        # Sessions live 12 hours: push them past the run so only closing can remove them.
        Session.objects.update(expire_date=timezone.now() + days(1))
        outcomes = {o.kind: o.purged for o in retention_apply()}
    assert outcomes[RetentionKind.CLOSED_ACCOUNTS] == 2
    assert list(CalendarFeed.objects.values_list("participant", flat=True)) == [active.pk]
    owners = [s.get_decoded()["_auth_user_id"] for s in Session.objects.all()]
    assert owners == [str(active.pk)]
    assert closed.screenings.count() == 1


# --- Messages ------------------------------------------------------------------------------------


def test_only_delivered_messages_lose_their_details(roles, policies):
    old = timezone.now() - days(200)
    person = factories.ParticipantFactory()
    rows = {
        status: message(recipient=person, status=status, sent_at=old)
        for status in NotificationStatus.values
    }
    Notification.objects.filter(pk__in=[r.pk for r in rows.values()]).update(updated_at=old)

    retention_apply()

    cleared = {
        status for status, row in rows.items() if Notification.objects.get(pk=row.pk).context == {}
    }
    assert cleared == {"sent", "cancelled", "skipped"}
    assert Notification.objects.filter(pk__in=[r.pk for r in rows.values()]).count() == 6
    kept = Notification.objects.get(pk=rows["sent"].pk)
    assert (kept.kind, kept.recipient_id, kept.subject_id, kept.status) == (
        "account_verify_email",
        person.pk,
        person.pk,
        "sent",
    )
    assert kept.sent_at == old and kept.updated_at == old  # times are kept as they were


def test_batches_cover_more_rows_than_one_batch(roles, policies):
    person = factories.ParticipantFactory()
    old = timezone.now() - days(100)
    Notification.objects.bulk_create(
        Notification(
            recipient=person,
            kind="account_verify_email",
            subject_type=ContentType.objects.get_for_model(User),
            subject_id=person.pk,
            due_at=old,
            status="sent",
            sent_at=old,
            context={"n": n},
        )
        for n in range(1100)
    )
    with CaptureQueriesContext(connection) as queries:
        outcomes = {o.kind: o.purged for o in retention_apply(batch_size=500)}
    assert outcomes[RetentionKind.MESSAGE_CONTENT] == 1100
    updates = [q for q in queries if q["sql"].startswith('UPDATE "sessions_app_notification"')]
    assert len(updates) == 3  # 500 + 500 + 100, each in its own transaction
    assert not Notification.objects.filter(sent_at=old).exclude(context={}).exists()


def test_message_rows_go_only_after_six_years_when_a_policy_says_so(roles, policies):
    old = message(sent_at=timezone.now() - days(SIX_YEARS_DAYS + 1))
    recent = message(sent_at=timezone.now() - days(SIX_YEARS_DAYS - 10))
    retention_apply()
    assert Notification.objects.filter(pk__in=[old.pk, recent.pk]).count() == 2  # indefinitely

    RetentionPolicy.objects.filter(kind=RetentionKind.MESSAGE_RECORDS).update(days=SIX_YEARS_DAYS)
    retention_apply()
    assert list(Notification.objects.filter(pk__in=[old.pk, recent.pk])) == [recent]


def test_each_run_writes_one_audit_row_with_the_counts(roles, policies):
    message(sent_at=timezone.now() - days(91))
    rows_before = AuditEvent.objects.count()
    retention_apply()
    retention_apply()
    assert AuditEvent.objects.count() == rows_before + 2
    first, second = run_rows()
    assert "message_content: 1 (90 days)" in first.note
    assert "message_content: 0 (90 days)" in second.note
    assert first.user_agent == "operations.retention_apply"


@pytest.mark.clock("2027-03-01 03:30")
def test_the_daily_task_runs_once_a_clinic_day_however_many_beats_send_it(roles, policies):
    message(sent_at=timezone.now() - days(91))
    today = timezone.localdate()
    for day in (today, today + days(1)):
        cache.delete(daily_run_key(day))

    first = tasks.retention_apply.delay().get()
    second = tasks.retention_apply.delay().get()  # a second beat, started by mistake
    assert first[RetentionKind.MESSAGE_CONTENT] == 1
    assert second == {}
    assert len(run_rows()) == 1

    with time_machine.travel(timezone.now() + days(1), tick=False):
        tasks.retention_apply.delay()
    assert len(run_rows()) == 2


def test_dry_run_counts_and_changes_nothing(roles, policies):
    row = message(sent_at=timezone.now() - days(91))
    out = StringIO()
    call_command("retention_apply", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "Delivered messages: their details: would purge 1 (older than 90 days)" in text
    assert "Dry run: nothing was changed." in text
    row.refresh_from_db()
    assert row.context
    assert run_rows() == []

    call_command("retention_apply", stdout=StringIO())
    row.refresh_from_db()
    assert row.context == {}
    assert len(run_rows()) == 1


def test_the_run_is_scheduled_daily_at_a_quiet_hour_in_the_clinic_zone():
    entry = settings.CELERY_BEAT_SCHEDULE["retention-apply"]
    assert entry["task"] == tasks.retention_apply.name == "operations.retention_apply"
    assert entry["schedule"].hour == {3} and entry["schedule"].minute == {30}
    assert settings.CELERY_TIMEZONE == settings.CLINIC_TIME_ZONE


# --- The policies: no clinical kind, six years for a record --------------------------------------


def test_no_clinical_record_or_audit_log_is_among_the_kinds():
    names = {*CLINICAL_MODELS, "auditevent", "enrollment", "checkin", "dose", "vitals"}
    kinds = " ".join(RetentionKind.values)
    assert not any(name in kinds for name in names)


def test_the_database_refuses_a_clinical_kind_and_a_record_under_six_years(policies):
    with pytest.raises(IntegrityError), transaction.atomic():
        RetentionPolicy.objects.create(kind="screening", days=30)
    with pytest.raises(IntegrityError), transaction.atomic():
        RetentionPolicy.objects.filter(kind=RetentionKind.MESSAGE_RECORDS).update(days=365)


def test_a_record_under_six_years_is_refused_at_the_days_field(policies):
    policy = RetentionPolicy.objects.get(kind=RetentionKind.MESSAGE_RECORDS)
    policy.days = SIX_YEARS_DAYS - 1
    with pytest.raises(ValidationError) as error:
        policy.full_clean()
    assert list(error.value.message_dict) == ["days"]
    policy.days = SIX_YEARS_DAYS
    policy.full_clean()


# --- Django admin ---------------------------------------------------------------------------------


@pytest.fixture
def admin_client_(staff_client, policies):
    return staff_client(Role.ADMIN)


def change_url(kind: str) -> str:
    policy = RetentionPolicy.objects.get(kind=kind)
    return reverse("admin:operations_retentionpolicy_change", args=[policy.pk])


def test_the_policy_pages_open_and_a_change_is_audited(admin_client_):
    changelist = admin_client_.get(reverse("admin:operations_retentionpolicy_changelist"))
    assert changelist.status_code == 200
    assert "Delivered messages: their details" in changelist.content.decode()
    url = change_url(RetentionKind.MESSAGE_CONTENT)
    page = admin_client_.get(url).content.decode()
    assert "six years" in page and "HIPAA" in page

    response = admin_client_.post(url, {"days": "60"})
    assert response.status_code == 302
    assert RetentionPolicy.objects.get(kind=RetentionKind.MESSAGE_CONTENT).days == 60
    event = AuditEvent.objects.get(record_type="retention policy")
    assert (event.actor, event.action) == (admin_client_.user, "update")
    assert event.note == "Django admin; message_content: 90 days -> 60 days"


def test_admin_refuses_a_record_under_six_years_at_the_field(admin_client_):
    url = change_url(RetentionKind.MESSAGE_RECORDS)
    response = admin_client_.post(url, {"days": "365"})
    assert response.status_code == 200
    assert "days" in response.context["adminform"].form.errors
    assert RetentionPolicy.objects.get(kind=RetentionKind.MESSAGE_RECORDS).days is None
    assert not AuditEvent.objects.filter(record_type="retention policy").exists()


def test_admin_offers_no_clinical_kind_and_refuses_one_posted(admin_client_):
    RetentionPolicy.objects.filter(kind=RetentionKind.EXPIRED_SESSIONS).delete()
    add = reverse("admin:operations_retentionpolicy_add")
    form = admin_client_.get(add).context["adminform"].form
    assert {value for value, _label in form.fields["kind"].choices if value} == set(
        RetentionKind.values
    )
    for kind in ("screening", "auditevent", "checkin"):
        response = admin_client_.post(add, {"kind": kind, "days": "30"})
        assert response.status_code == 200
        assert "kind" in response.context["adminform"].form.errors
    assert RetentionPolicy.objects.count() == len(RetentionKind.values) - 1

    response = admin_client_.post(add, {"kind": RetentionKind.EXPIRED_SESSIONS, "days": "14"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(record_type="retention policy")
    assert (event.action, event.note) == ("create", "Django admin; expired_sessions: 14 days")
    response = admin_client_.post(add, {"kind": RetentionKind.EXPIRED_SESSIONS, "days": "1"})
    assert "kind" in response.context["adminform"].form.errors  # one policy per kind
    assert RetentionPolicy.objects.get(kind=RetentionKind.EXPIRED_SESSIONS).days == 14


def test_admin_deletes_no_policy(admin_client_):
    policy = RetentionPolicy.objects.get(kind=RetentionKind.MESSAGE_CONTENT)
    url = reverse("admin:operations_retentionpolicy_delete", args=[policy.pk])
    assert admin_client_.post(url, {"post": "yes"}).status_code == 403
    assert RetentionPolicy.objects.filter(pk=policy.pk).exists()


@pytest.mark.parametrize(
    "days", ["-1", "1e9", "99999999999999999999", "\x00", "'; DROP TABLE x;--"]
)
def test_hostile_days_are_refused_at_the_field(admin_client_, days):
    response = admin_client_.post(change_url(RetentionKind.MESSAGE_CONTENT), {"days": days})
    assert response.status_code == 200
    assert "days" in response.context["adminform"].form.errors
    assert RetentionPolicy.objects.get(kind=RetentionKind.MESSAGE_CONTENT).days == 90


# --- PostgreSQL: a row in use is skipped, not waited for ------------------------------------------


@pytest.mark.services("postgres")
@pytest.mark.django_db(transaction=True)
def test_a_message_locked_by_a_sender_is_skipped_and_purged_next_time(roles, policies):
    old = timezone.now() - days(100)
    locked, free = (message(sent_at=old) for _ in range(2))
    held, release = threading.Event(), threading.Event()

    def sender():
        try:
            with transaction.atomic():
                Notification.objects.select_for_update().get(pk=locked.pk)
                held.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=sender)
    thread.start()
    assert held.wait(10)
    try:
        first = {o.kind: o.purged for o in retention_apply()}
    finally:
        release.set()
        thread.join()
    assert first[RetentionKind.MESSAGE_CONTENT] == 1
    assert Notification.objects.get(pk=free.pk).context == {}
    assert Notification.objects.get(pk=locked.pk).context

    second = {o.kind: o.purged for o in retention_apply()}
    assert second[RetentionKind.MESSAGE_CONTENT] == 1
    assert Notification.objects.get(pk=locked.pk).context == {}
    assert len(run_rows()) == 2  # and the audit log's append-only trigger was never hit
