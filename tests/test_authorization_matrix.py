"""Every URL of the project, for every role, against one's own and someone else's records.

``MATRIX`` has one entry per URL name in the URLconf (Django admin aside: its permission test is
per registered model in tests/participants/test_roles.py). A new URL without an entry fails
``test_every_url_has_an_entry``, so nobody adds a page without saying who may open it.

Requests are GETs, so nothing changes; a page that only takes POST answers 405 to those allowed
past its access check. The roles: anonymous, the participant who owns the records, another
participant, a coordinator, a clinician, a nurse (a clinician who monitors dosing), a prescriber
(a clinician who decides eligibility and monitors dosing), an admin.
"""

import datetime

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from cohorts.models import Cohort, CohortMember, CohortSession, ProgramStep, ProgramTemplate
from dosing.models import AdverseEvent, Arrival, DosingProtocol, Medication
from participants.account_links import email_verification_token
from participants.models import FlagRule, Role
from sessions_app.calendars import calendar_feed_for
from tests.auth import sign_in
from tests.dosing.conftest import PROTOCOL
from tests.factories import (
    CheckInFactory,
    DosingSessionTypeFactory,
    EnrollmentFactory,
    GroupSessionFactory,
    ParticipantFactory,
    SafetyAlertFactory,
    ScreeningFactory,
    StaffFactory,
    SubmittedScreeningFactory,
    WaitlistEntryFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("screening_defaults")]

ROLES = (
    "anonymous",
    "participant",
    "other",
    "coordinator",
    "clinician",
    "nurse",
    "prescriber",
    "admin",
)
CLINICIANS = ("clinician", "nurse", "prescriber")
LOGIN = "login"  # redirected to the sign-in page
HOME = "home"  # redirected away (already signed in)


def _all(value):
    return dict.fromkeys(ROLES, value)


def _staff(allowed=200, participants=403):
    return {
        "anonymous": LOGIN,
        "participant": participants,
        "other": participants,
        "coordinator": allowed,
        **dict.fromkeys(CLINICIANS, allowed),
        "admin": allowed,
    }


def _clinical(allowed=200):
    return {**_staff(allowed), "coordinator": 403}


def _admin_only(allowed=200):
    return {**_staff(403), "admin": allowed}


def _own(allowed=200, others=404):
    """A participant's own record: others get 404 (it does not exist for them), staff 403."""
    return {
        "anonymous": LOGIN,
        "participant": allowed,
        "other": others,
        "coordinator": 403,
        **dict.fromkeys(CLINICIANS, 403),
        "admin": 403,
    }


def _participant(allowed=200):
    return {**_own(allowed), "other": allowed}


def _monitors(allowed=405):
    """A dosing-day entry: staff who monitor dosing (nurses and prescribers here)."""
    return {**_staff(403), "nurse": allowed, "prescriber": allowed}


def _prescribers(allowed=405):
    """The gate's override: prescribers only (who decide eligibility)."""
    return {**_staff(403), "prescriber": allowed}


PUBLIC = _all(200)
SIGNED_OUT_ONLY = {**_all(302), "anonymous": 200}

# url name -> (kwargs key in the world, expected per role)
MATRIX = {
    "home": (None, PUBLIC),
    "healthz": (None, PUBLIC),
    # Not by role but by address or token: the test client comes from the loopback, which
    # METRICS_ALLOWED_IPS allows by default; tests/operations/test_metrics.py shows the 404s.
    "operations:metrics": (None, PUBLIC),
    "participants:signup": (None, SIGNED_OUT_ONLY),
    "participants:signup_done": (None, PUBLIC),
    "participants:resend_verification": (None, PUBLIC),
    # A verification link works for anyone who has it (it carries its own proof); signed out,
    # it leads on to the sign-in page.
    "participants:verify_email": ("verify", {**_all(302), "anonymous": LOGIN}),
    "participants:login": (None, SIGNED_OUT_ONLY),
    "participants:logout": (None, _all(405)),
    # The language switch takes a POST only, from anyone (a visitor's choice is a cookie).
    "participants:language": (None, _all(405)),
    "participants:password_change": (None, {**_all(200), "anonymous": LOGIN}),
    "participants:password_change_done": (None, {**_all(200), "anonymous": LOGIN}),
    "participants:password_reset": (None, PUBLIC),
    "participants:password_reset_done": (None, PUBLIC),
    # Signing in changes the owner's last login, which voids their reset link: the page says so.
    "participants:password_reset_confirm": ("reset", {**_all(302), "participant": 200}),
    "participants:password_reset_complete": (None, PUBLIC),
    "participants:profile": (None, _participant()),
    "participants:me": (None, _participant()),
    "participants:screening_start": (None, _participant(405)),
    "participants:screening_detail": ("draft", _own()),
    "participants:screening_section": ("draft_section", _own()),
    "participants:screening_support": ("draft", _own()),
    "participants:screening_submit": ("draft", _own(405, others=405)),
    "participants:consent_sign": (None, _participant()),
    "participants:my_data": (None, _participant()),
    "participants:my_data_json": (None, _participant()),
    "participants:my_data_document": (None, _participant()),
    "followup:checkin": ("checkin", _own()),
    "followup:progress": (None, _participant()),
    "followup:participant_timeline": ("timeline", _clinical()),
    "followup:outcomes": (None, _clinical()),
    "followup:outcomes_csv": (None, _clinical()),
    "participants:review_queue": (None, _staff()),
    "participants:review_detail": ("submitted", _clinical()),
    # POST only; a clinician's (not an admin's) POST: tests/participants/test_instrument_languages.
    "participants:review_interpreter": ("interpreter", _clinical(405)),
    "participants:alert_list": (None, _clinical()),
    "participants:alert_detail": ("alert", _clinical()),
    "participants:alert_acknowledge": ("alert", _clinical(405)),
    # Admins, and clinicians who decide eligibility.
    "participants:flag_rule_list": (None, {**_clinical(403), "prescriber": 200, "admin": 200}),
    "participants:flag_rule_create": (None, {**_clinical(403), "prescriber": 200, "admin": 200}),
    "participants:flag_rule_edit": ("rule", {**_clinical(403), "prescriber": 200, "admin": 200}),
    # Staff may link a new authenticator (a new phone); participants have no second factor.
    "participants:two_factor_setup": (None, {**_staff(200, participants=302)}),
    "participants:two_factor_verify": (None, {**_all(302), "anonymous": LOGIN}),
    "participants:keepalive": (None, _all(405)),
    "team:list": (None, _admin_only()),
    "team:set_active": ("member", _admin_only(405)),
    "team:reset_second_factor": ("member", _admin_only(405)),
    "team:clear_signin_delay": ("member", _admin_only(405)),
    "participants:staff_failed_messages": (None, _admin_only()),
    "participants:staff_failed_messages_retry": (None, _admin_only(405)),
    "sessions_app:session_list": (None, PUBLIC),
    "sessions_app:session_detail": ("session", PUBLIC),
    "sessions_app:session_enroll": ("session", _participant(405)),
    "sessions_app:waitlist_join": ("session", _participant(405)),
    "sessions_app:my_sessions": (None, _participant()),
    "sessions_app:offer_accept": ("offer", _own(405, others=405)),
    "sessions_app:waitlist_leave": ("offer", _own(405, others=405)),
    "sessions_app:enrollment_cancel": ("enrollment", _own(405, others=405)),
    "sessions_app:enrollment_ics": ("enrollment", _own()),
    "sessions_app:calendar_regenerate": (None, _participant(405)),
    # The private feed URL is its own key: whoever holds it reads that one calendar.
    "sessions_app:calendar_feed": ("feed", PUBLIC),
    "sessions_app:staff_enroll": ("session", _staff(405)),
    "sessions_app:staff_enrollment_cancel": ("session", _staff(405)),
    "sessions_app:staff_enrollment_move": ("session", _staff(405)),
    "sessions_app:staff_dashboard": (None, _staff()),
    "participants:sms_inbound": (None, _all(405)),
    "sessions_app:staff_session_list": (None, _staff()),
    "cohorts_staff:cohort_list": (None, _staff()),
    "cohorts_staff:cohort_create": (None, _staff()),
    "cohorts_staff:cohort_detail": ("cohort", _staff()),
    "cohorts_staff:cohort_publish": ("cohort", _staff(405)),
    "cohorts_staff:group_size": ("cohort", _staff()),
    "cohorts_staff:member_remove": ("cohort_member", _staff()),
    "cohorts_staff:seat_cancel": ("cohort_seat", _staff()),
    "cohorts:cohort_list": (None, PUBLIC),
    "cohorts:cohort_detail": ("cohort", PUBLIC),
    "cohorts:cohort_join": ("cohort", _participant(405)),
    "cohorts:cohort_leave": ("cohort", _participant(405)),
    "cohorts:cohort_ics": ("cohort", _own()),
    # The waitlist's addresses act on the signed-in participant's own place in line.
    "cohorts:waitlist_join": ("cohort", _participant(405)),
    "cohorts:waitlist_leave": ("cohort", _participant(405)),
    "cohorts:waitlist_accept": ("cohort", _participant(405)),
    "cohorts:waitlist_decline": ("cohort", _participant(405)),
    "followup:cohort_outcomes": ("cohort", _clinical()),
    "followup:cohort_outcomes_csv": ("cohort", _clinical()),
    "sessions_app:staff_session_create": (None, _staff()),
    "sessions_app:staff_series_create": (None, _staff()),
    "sessions_app:staff_session_roster": ("session", _staff()),
    "sessions_app:staff_session_edit": ("session", _staff()),
    "sessions_app:staff_session_publish": ("session", _staff(405)),
    "sessions_app:staff_session_cancel": ("session", _staff()),
    "sessions_app:staff_session_reschedule": ("session", _staff()),
    "sessions_app:staff_session_duplicate": ("session", _staff()),
    "sessions_app:staff_session_attendance": ("session", _staff(405)),
    "sessions_app:staff_session_sign_in_sheet": ("session", _staff()),
    # The dosing day: the room (coordinators see arrival and discharge only), the record
    # (clinical readers), and its entries (staff who monitor dosing; the override, prescribers).
    "dosing:room": ("dosing", _staff()),
    "dosing:room_state": ("dosing", _staff()),
    "dosing:monitor_confirm": ("dosing", _monitors()),
    "dosing:summary": ("dosing", _clinical()),
    "dosing:seat": ("dosing_seat", _clinical()),
    "dosing:seat_print": ("dosing_seat", _clinical()),
    "dosing:arrival": ("dosing_seat", _monitors()),
    "dosing:recheck": ("dosing_seat", _monitors()),
    "dosing:override": ("dosing_seat", _prescribers()),
    "dosing:not_dosed": ("dosing_seat", _monitors()),
    "dosing:dose": ("dosing_seat", _monitors()),
    "dosing:vitals": ("dosing_seat", _monitors()),
    "dosing:event": ("dosing_seat", _monitors()),
    "dosing:event_resolve": ("dosing_event", _monitors()),
    "dosing:discharge": ("dosing_seat", _monitors()),
    # A correction's form is a page (GET) for those who may record.
    "dosing:correct": ("dosing_entry", _monitors(200)),
}


def url_names() -> set[str]:
    """Every named URL of the URLconf, with its namespace, Django admin aside."""

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                inner = pattern.namespace or ""
                full = f"{namespace}:{inner}" if namespace and inner else inner or namespace
                yield from walk(pattern.url_patterns, full)
            elif pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return set(walk(get_resolver().url_patterns))


def test_every_url_has_an_entry():
    missing = url_names() - set(MATRIX)
    assert not missing, f"URLs without an access entry in MATRIX: {sorted(missing)}"
    stale = set(MATRIX) - url_names()
    assert not stale, f"MATRIX entries for URLs that no longer exist: {sorted(stale)}"


@pytest.fixture
def world(roles):
    owner = ParticipantFactory(email_verified_at=None)
    other = ParticipantFactory()
    submitted = SubmittedScreeningFactory(participant=owner)
    draft = ScreeningFactory(participant=owner)
    enrollment = EnrollmentFactory(participant=owner)
    checkin = CheckInFactory(enrollment__participant=owner)
    return {
        "people": {
            "anonymous": None,
            "participant": owner,
            "other": other,
            "coordinator": StaffFactory(role=Role.COORDINATOR),
            "clinician": StaffFactory(role=Role.CLINICIAN),
            "nurse": StaffFactory(role=Role.CLINICIAN, permissions=["monitor_dosing"]),
            "prescriber": StaffFactory(
                role=Role.CLINICIAN, permissions=["decide_eligibility", "monitor_dosing"]
            ),
            "admin": StaffFactory(role=Role.ADMIN),
        },
        "kwargs": {
            "draft": {"public_id": draft.public_id},
            "draft_section": {"public_id": draft.public_id, "slug": "medical"},
            "submitted": {"public_id": submitted.public_id},
            "interpreter": {"public_id": submitted.public_id, "instrument": "phq9"},
            "alert": {"public_id": SafetyAlertFactory(participant=owner).public_id},
            "rule": {"pk": FlagRule.objects.first().pk},
            "member": {"pk": StaffFactory(role=Role.COORDINATOR).pk},
            "session": {"pk": enrollment.session.pk},
            "checkin": {"public_id": checkin.public_id},
            "offer": {"pk": WaitlistEntryFactory(participant=owner, offered=True).pk},
            "enrollment": {"pk": enrollment.pk},
            **_cohort_kwargs(owner, enrollment),
            "feed": {"token": calendar_feed_for(participant=owner).token},
            "timeline": {"pk": owner.pk},
            "verify": {"token": email_verification_token(owner)},
            "reset": {
                "uidb64": urlsafe_base64_encode(force_bytes(owner.pk)),
                "token": default_token_generator.make_token(owner),
            },
        },
    }


def _cohort_kwargs(owner, enrollment) -> dict:
    """A cohort holding the owner's seat, with the owner as its member (rows made directly)."""
    template = ProgramTemplate.objects.create(name="Matrix program")
    step = ProgramStep.objects.create(
        template=template,
        session_type=enrollment.session.session_type,
        offset_days=0,
        start_time=datetime.time(18, 0),
        duration_minutes=60,
    )
    session = enrollment.session
    cohort = Cohort.objects.create(
        template=template,
        title="Matrix",
        status="published",  # a draft has no participants' page
        start_date=session.starts_at.date(),
        room=session.room,
        capacity=8,
    )
    CohortSession.objects.create(cohort=cohort, step=step, session=session)
    member = CohortMember.objects.create(cohort=cohort, participant=owner, joined_at=timezone.now())
    return {
        "cohort": {"pk": cohort.pk},
        "cohort_member": {"pk": cohort.pk, "member_pk": member.pk},
        "cohort_seat": {"pk": cohort.pk, "member_pk": member.pk, "seat_pk": enrollment.pk},
    }


def _dosing_kwargs(owner) -> dict:
    """The owner's seat in a dosing session whose protocol is complete, with an arrival and an
    open adverse event (rows made directly: access is what is tested, not the services)."""
    session_type = DosingSessionTypeFactory()
    DosingProtocol.objects.create(session_type=session_type, **PROTOCOL)
    seat = EnrollmentFactory(
        participant=owner, session=GroupSessionFactory(session_type=session_type)
    )
    staff = StaffFactory(role=Role.CLINICIAN)
    entry = {"enrollment": seat, "recorded_by": staff}
    Medication.objects.create(name="Ketamine")
    arrival = Arrival.objects.create(
        **entry,
        arrived_at=seat.session.starts_at,
        pregnancy="not_applicable",
        weight_kg=70,
        self_harm_today=False,
    )
    event = AdverseEvent.objects.create(
        **entry, kind="nausea", severity="mild", action_taken="Rest", onset_at=arrival.arrived_at
    )
    dosing = {"pk": seat.session.pk}
    seat_kwargs = {**dosing, "enrollment_pk": seat.pk}
    return {
        "dosing": dosing,
        "dosing_seat": seat_kwargs,
        "dosing_event": {**seat_kwargs, "event_pk": event.pk},
        "dosing_entry": {**seat_kwargs, "kind": "arrival", "entry_pk": arrival.pk},
    }


def outcome(response):
    if response.status_code == 302 and "/accounts/login/" in response.url:
        return LOGIN
    return response.status_code


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("url_name", sorted(MATRIX))
def test_each_role_gets_the_expected_answer(world, url_name, role):
    key, expected = MATRIX[url_name]
    kwargs = world["kwargs"]
    if key and key.startswith("dosing"):  # made only for the dosing day's URLs
        kwargs = _dosing_kwargs(world["people"]["participant"])
    url = reverse(url_name, kwargs=kwargs[key] if key else None)
    person = world["people"][role]
    client = sign_in(person) if person else Client()
    assert outcome(client.get(url)) == expected[role], f"{role} GET {url}"
