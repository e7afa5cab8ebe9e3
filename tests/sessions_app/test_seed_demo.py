"""``manage.py seed_demo``: a usable demo on a fresh machine, safe to run on every start."""

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from cohorts.models import Cohort, CohortStatus
from cohorts.services.membership import cohort_join_refusals
from demo.sessions import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_ROSTER, DOSING_DAY_ROSTER, seed_demo
from dosing.models import Medication
from dosing.services.entries import record_refusal
from participants.models import ConsentDocument, Role, User
from sessions_app.models import Enrollment, GroupSession, Room, SessionKind, SessionType

pytestmark = pytest.mark.django_db


def test_seed_demo_prints_a_login_per_role_and_is_idempotent(roles, settings):
    settings.DEBUG = True  # as make run sets it
    out = StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=StringIO())

    text = out.getvalue()
    assert DEMO_PASSWORD in text
    for account in DEMO_ACCOUNTS:
        assert account.email in text
    assert User.objects.count() == len(DEMO_ACCOUNTS) + len(DEMO_ROSTER) + len(DOSING_DAY_ROSTER)
    assert Room.objects.count() == 3  # and the demo cohort's own
    assert set(SessionType.objects.values_list("kind", flat=True)) == set(SessionKind.values)
    sessions = GroupSession.objects.count()
    assert sessions >= 12  # about a month of three weekly sessions
    enrollments = Enrollment.objects.count()
    assert enrollments >= 2 * (1 + len(DEMO_ROSTER))  # a preparation and an integration roster
    seed_demo()
    assert GroupSession.objects.count() == sessions
    assert Enrollment.objects.count() == enrollments


def test_seed_demo_refuses_with_debug_off(roles, settings):
    settings.DEBUG = False
    out = StringIO()
    with pytest.raises(CommandError, match="--demo-install"):
        call_command("seed_demo", stdout=out)
    assert not User.objects.filter(email__in=[a.email for a in DEMO_ACCOUNTS]).exists()
    assert DEMO_PASSWORD not in out.getvalue()


def test_seed_demo_with_debug_off_runs_when_told_it_is_a_demo_install(roles, settings):
    settings.DEBUG = False
    out = StringIO()
    call_command("seed_demo", "--demo-install", stdout=out)
    assert DEMO_PASSWORD in out.getvalue()
    assert User.objects.get(email="admin@journease.test").is_staff


def test_make_run_seeds_with_debug_on():
    makefile = (Path(__file__).resolve().parents[2] / "Makefile").read_text()
    assert "run: export DEBUG ?= 1" in makefile
    assert "run: demo" in makefile


def test_demo_roster_people_cannot_sign_in(roles):
    seed_demo()
    roster_only = User.objects.filter(email__startswith="roster")
    assert roster_only.count() == len(DEMO_ROSTER) + len(DOSING_DAY_ROSTER)
    assert not any(user.has_usable_password() for user in roster_only)


def test_every_demo_account_has_the_printed_password_and_its_role(roles):
    seed_demo()
    for account in DEMO_ACCOUNTS:
        user = User.objects.get(email=account.email)
        assert user.check_password(DEMO_PASSWORD), account.email
        assert user.has_role(account.role)
    prescriber = User.objects.get(email="prescriber@journease.test")
    assert prescriber.has_perm("participants.decide_eligibility")
    assert User.objects.get(email="admin@journease.test").is_staff


def test_demo_dosing_sessions_have_a_medical_monitor_and_keep_local_time(roles):
    seed_demo(today=datetime.date(2027, 3, 1))  # the month in which daylight saving starts
    dosing = GroupSession.objects.filter(session_type__kind=SessionKind.DOSING)
    assert dosing.exists()
    for session in dosing:
        assert session.medical_monitor.has_perm("participants.monitor_dosing")
        assert session.capacity <= session.room.capacity
        # The weekly ones at 9:00, the demo cohort's at 10:00, across the change of clocks.
        expected = datetime.time(10, 0) if session.closed_group else datetime.time(9, 0)
        assert timezone.localtime(session.starts_at).time() == expected
    assert Role.PARTICIPANT in User.objects.get(email="participant@journease.test").roles


def test_demo_participant_is_approved_and_has_signed_the_consent(roles):
    from participants.selectors import consent_is_current, participant_next_step

    seed_demo()
    seed_demo()
    participant = User.objects.get(email="participant@journease.test")
    assert participant.screenings.count() == 1
    assert consent_is_current(participant=participant)
    # Screened and consented; the demo gives them a seat in the next preparation circle, which
    # the group session requires first: their next step names it.
    assert participant_next_step(participant=participant)[0].code == "prepare_booked"


def test_the_demo_publishes_the_consent_in_english_and_spanish(roles):
    ConsentDocument.objects.all().delete()  # a database where nobody made them yet
    seed_demo()
    published = ConsentDocument.objects.filter(version=1, published_at__isnull=False)
    assert sorted(published.values_list("language", flat=True)) == ["en", "es"]


def test_the_demo_has_a_dosing_day_of_eight_whose_record_can_start(roles):
    seed_demo()
    session = GroupSession.objects.get(title__endswith="(today)")
    assert session.session_type.is_dosing
    assert session.enrollments.count() == 8
    assert session.medical_monitor.has_perm("participants.monitor_dosing")
    assert record_refusal(session) is None  # the demo protocol is complete
    assert Medication.objects.filter(is_active=True).exists()


@pytest.mark.parametrize("weekday", range(7))
def test_the_demo_has_a_published_cohort_ahead_with_members_but_not_the_demo_participant(
    roles, time_machine, weekday
):
    """On any day of the week (a Friday once put its first dosing day within the dosing type's
    14 days of the demo's dosing session today, and nobody could join)."""
    now = timezone.now()
    time_machine.move_to(now + datetime.timedelta(days=(weekday - now.weekday()) % 7))
    today = timezone.localdate()
    seed_demo(today=today)
    seed_demo(today=today)

    cohort = Cohort.objects.get()
    assert cohort.status == CohortStatus.PUBLISHED
    assert cohort.start_date >= today + datetime.timedelta(days=14)
    assert cohort.start_date.weekday() == 0
    members = {m.participant.email for m in cohort.members.select_related("participant")}
    assert members == {f"roster{i}@journease.test" for i in range(1, len(DEMO_ROSTER) + 1)}
    sessions = GroupSession.objects.filter(cohort_session__cohort=cohort)
    assert sessions.count() == cohort.template.steps.count() == 6
    assert all(session.closed_group for session in sessions)
    # Every member holds a seat in every session; the demo participant may join in the browser.
    assert Enrollment.objects.filter(session__in=sessions).count() == 6 * len(members)
    pat = User.objects.get(email="participant@journease.test")
    assert cohort_join_refusals(cohort=cohort, participant=pat, now=timezone.now()) == []
