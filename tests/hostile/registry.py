"""Every form and every query parameter the app reads, with the role that may use each: the one
list the hostile-input fuzz (``test_fuzz.py``) submits to, and that ``test_registry.py`` compares
with the forms and parameters the views (and Django admin) actually use.

A new form or parameter that is not added here fails ``test_registry.py``: add a target (the URL
name, the role, the form class or the field names, any valid base values) and the fuzz covers it.

``kwargs``, ``fields`` and ``base`` may be callables of the fuzz's ``World`` (the rows it made:
a session, a seat, a screening...), for URLs and forms that need them.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from cohorts import forms as cohort_staff_forms
from cohorts import participant_forms as cohort_participant_forms
from cohorts.models import (
    Cohort,
    CohortMember,
    CohortSession,
    CohortStatus,
    CohortWaitlistEntry,
    CohortWaitlistStatus,
    ProgramStep,
    ProgramTemplate,
)
from dosing import forms as dosing_forms
from dosing.forms.fields import EntryForm
from dosing.models import (
    AdverseEvent,
    Arrival,
    Dose,
    DosingProtocol,
    Medication,
    MonitorPresence,
    PreDoseReading,
    Vitals,
)
from followup.forms import CheckInForm
from participants import forms as participant_forms
from participants.instruments import PHQ9_CODES, SECTIONS, SECTIONS_BY_SLUG
from participants.models import FlagOperator, FlagSeverity
from sessions_app import enrollment_forms
from sessions_app import forms as session_forms
from tests import factories
from tests.dosing.conftest import PROTOCOL, READING_HIGH, READING_OK, VITALS_OK

# Roles of the fuzz's clients. "staff-unverified": a coordinator signed in with a password only,
# before the second step (the two-factor pages).
ANONYMOUS = "anonymous"
PARTICIPANT = "participant"
NEW_PARTICIPANT = "new-participant"  # has not signed the consent yet
COORDINATOR = "coordinator"
CLINICIAN = "clinician"  # decides eligibility and monitors dosing
ADMIN = "admin"
STAFF_UNVERIFIED = "staff-unverified"


@dataclass(frozen=True)
class FormTarget:
    """A form posted to ``url_name``: hostile values go to each field in turn."""

    url_name: str
    role: str
    form: type | None
    kwargs: Callable[[Any], dict] | None = None
    # Field names (prefixed as posted); default: the form class's fields with its prefix.
    fields: Callable[[Any], list[str]] | tuple[str, ...] | None = None
    # Valid values for the other fields, so that a hostile value meets the form's own checks.
    base: Callable[[Any], dict] | dict = field(default_factory=dict)
    # Query parameters of the POST's address the view reads (the roster's search).
    params: tuple[str, ...] = ()
    headers: Callable[[Any], dict] | None = None
    # Before the POST (a password-reset link is opened first, as a browser would).
    prime: Callable[[Any, Any], None] | None = None
    # Tables a refused submission may still add to, on purpose (model labels).
    saves_when_refused: tuple[str, ...] = ()

    def field_names(self, world) -> list[str]:
        if callable(self.fields):
            return list(self.fields(world))
        if self.fields is not None:
            return list(self.fields)
        prefix = getattr(self.form, "prefix", None)
        return [f"{prefix}-{name}" if prefix else name for name in self.form.base_fields]

    @property
    def label(self) -> str:
        name = self.form.__name__ if self.form else "fields"
        return f"POST {self.url_name} ({name}) as {self.role}"


@dataclass(frozen=True)
class QueryTarget:
    """A page read with GET whose query parameters get hostile values."""

    url_name: str
    role: str
    params: tuple[str, ...]
    kwargs: Callable[[Any], dict] | None = None

    @property
    def label(self) -> str:
        return f"GET {self.url_name} as {self.role}"


def _session(world) -> dict:
    return {"pk": world.session.pk}


def _screening_fields(slug: str):
    def names(world) -> list[str]:
        section = next(s for s in SECTIONS if s.slug == slug)
        form = participant_forms.ScreeningSectionForm(section=section)
        return list(form.fields)

    return names


def _session_base(world) -> dict:
    return {
        "session_type": world.session_type.pk,
        "title": "Evening circle",
        "date": world.future_day.isoformat(),
        "start_time": "18:00",
        "end_time": "19:30",
        "room": world.room.pk,
        "capacity": "6",
        "min_participants": "1",
    }


# --- Programs (cohorts), the participants' side ---------------------------------------------------


def _program(world, *, member: bool) -> dict:
    """A published cohort of one dosing session (rows made directly), the fuzz's participant a
    member of it (``member``) or not; each made once per fuzz world."""
    attr = "program_member" if member else "program_open"
    if getattr(world, attr, None):
        return {"pk": getattr(world, attr).pk}
    session = factories.GroupSessionFactory(
        session_type=world.dosing_session.session_type,
        room=world.room,
        starts_at=world.dosing_session.starts_at + datetime.timedelta(days=30 if member else 40),
    )
    template = ProgramTemplate.objects.create(name=f"Fuzz program {attr}")
    step = ProgramStep.objects.create(
        template=template,
        session_type=session.session_type,
        offset_days=0,
        start_time=datetime.time(9, 0),
        duration_minutes=60,
    )
    cohort = Cohort.objects.create(
        template=template,
        title=attr,
        start_date=session.starts_at.date(),
        room=world.room,
        capacity=8,
        status=CohortStatus.PUBLISHED,
    )
    CohortSession.objects.create(cohort=cohort, step=step, session=session)
    if member:
        participant = world.clients[PARTICIPANT].user
        CohortMember.objects.create(
            cohort=cohort, participant=participant, joined_at=timezone.now()
        )
        factories.EnrollmentFactory(participant=participant, session=session)
    object.__setattr__(world, attr, cohort)
    return {"pk": cohort.pk}


def _program_offer(world) -> dict:
    """A full program of one dosing session whose place is held for the fuzz's participant by
    an open offer from its waitlist (rows made directly); made once per fuzz world."""
    if getattr(world, "program_offer", None):
        return {"pk": world.program_offer.pk}
    cohort = Cohort.objects.get(pk=_program(world, member=False)["pk"])
    session = cohort.cohort_sessions.get().session
    template = ProgramTemplate.objects.create(name="Fuzz program offer")
    step = ProgramStep.objects.create(
        template=template,
        session_type=session.session_type,
        offset_days=0,
        start_time=datetime.time(9, 0),
        duration_minutes=60,
    )
    offered = factories.GroupSessionFactory(
        session_type=session.session_type,
        room=world.room,
        starts_at=session.starts_at + datetime.timedelta(days=10),
    )
    cohort = Cohort.objects.create(
        template=template,
        title="program_offer",
        start_date=offered.starts_at.date(),
        room=world.room,
        capacity=1,
        status=CohortStatus.PUBLISHED,
    )
    CohortSession.objects.create(cohort=cohort, step=step, session=offered)
    now = timezone.now()
    CohortWaitlistEntry.objects.create(
        cohort=cohort,
        participant=world.clients[PARTICIPANT].user,
        joined_at=now,
        status=CohortWaitlistStatus.OFFERED,
        offered_at=now,
        offer_expires_at=now + datetime.timedelta(hours=12),
    )
    object.__setattr__(world, "program_offer", cohort)
    return {"pk": cohort.pk}


def _cohort_base(world) -> dict:
    """A valid new cohort: the open program's template, a start next year, the fuzz's room."""
    template = Cohort.objects.get(pk=_program(world, member=False)["pk"]).template
    return {
        "template": str(template.pk),
        "start_date": (timezone.localdate() + datetime.timedelta(days=400)).isoformat(),
        "room": str(world.room.pk),
    }


def _member(world) -> dict:
    """The fuzz participant's membership and seat in the member program (staff pages)."""
    cohort = Cohort.objects.get(pk=_program(world, member=True)["pk"])
    # The latest membership: the participant's own leave form may have ended it already.
    member = CohortMember.objects.filter(cohort=cohort).order_by("-pk").first()
    seat = member.participant.enrollments.filter(session__cohort_session__cohort=cohort).first()
    return {"pk": cohort.pk, "member_pk": member.pk, "seat_pk": seat.pk}


# --- The dosing day -------------------------------------------------------------------------------


def _dosing(world):
    """A dosing session under way (its type's protocol complete, the monitor present) with a
    seat at each stage the forms need: expected, arrived with a failed gate, arrived through
    the gate, and dosed (three hours ago) with vitals and an open adverse event; each form
    that moves a seat on has a seat of its own. Made once per fuzz world."""
    if getattr(world, "dosing", None):
        return world.dosing
    staff = world.clients[CLINICIAN].user
    now = timezone.now()
    session_type = world.dosing_session.session_type
    DosingProtocol.objects.get_or_create(session_type=session_type, defaults=PROTOCOL)
    session = factories.GroupSessionFactory(
        session_type=session_type,
        starts_at=now - datetime.timedelta(hours=4),
        ends_at=now + datetime.timedelta(hours=2),
        medical_monitor=staff,
    )
    MonitorPresence.objects.create(session=session, monitor=staff, confirmed_at=now)
    medication = Medication.objects.get_or_create(name="Ketamine hydrochloride")[0]
    entry = {"recorded_by": staff, "recorded_at": now}
    # Dosed long enough ago to be discharged.
    earlier = now - datetime.timedelta(hours=3)

    def seat(reading=None, *, dosed=False):
        enrollment = factories.EnrollmentFactory(session=session)
        if reading is None:
            return enrollment
        Arrival.objects.create(
            enrollment=enrollment,
            **entry,
            arrived_at=now,
            ride_home_confirmed=True,
            fasting_confirmed=True,
            no_alcohol_confirmed=True,
            pregnancy="not_applicable",
            weight_kg=70,
            self_harm_today=False,
        )
        PreDoseReading.objects.create(enrollment=enrollment, **entry, taken_at=earlier, **reading)
        if dosed:
            Dose.objects.create(
                enrollment=enrollment,
                **entry,
                medication=medication,
                amount=35,
                route="im",
                given_at=earlier,
                given_by=staff,
                prescriber=staff,
            )
        return enrollment

    dosed = seat(READING_OK, dosed=True)
    world.dosing = {
        "session": session,
        "medication": medication,
        "prescriber": staff,
        "expected": seat(),
        "recheck": seat(READING_HIGH),
        "override": seat(READING_HIGH),
        "not_dosed": seat(READING_HIGH),
        "gate_passed": seat(READING_OK),
        "dosed": dosed,
        "discharge": seat(READING_OK, dosed=True),
        "vitals": Vitals.objects.create(enrollment=dosed, **entry, taken_at=now, **VITALS_OK),
        "event": AdverseEvent.objects.create(
            enrollment=dosed,
            **entry,
            kind="nausea",
            severity="mild",
            action_taken="Rest",
            onset_at=now,
        ),
    }
    return world.dosing


def _seat(stage: str):
    def kwargs(world) -> dict:
        day = _dosing(world)
        return {"pk": day["session"].pk, "enrollment_pk": day[stage].pk}

    return kwargs


def _prefixed(form, prefix: str | None = None) -> list[str]:
    prefix = prefix or form.prefix
    return [f"{prefix}-{name}" for name in form.base_fields]


def _values(prefix: str, values: dict) -> dict:
    return {f"{prefix}-{name}": str(value) for name, value in values.items()}


def _dose_base(world) -> dict:
    day = _dosing(world)
    return {
        "dose-medication": day["medication"].pk,
        "dose-amount": "35",
        "dose-unit": "mg",
        "dose-route": "im",
        "dose-prescriber": day["prescriber"].pk,
    }


_ARRIVAL_BASE = {
    "arrival-ride_home_confirmed": "on",
    "arrival-ride_home_name": "Robin",
    "arrival-ride_home_phone": "+18015550142",
    "arrival-fasting_confirmed": "on",
    "arrival-no_alcohol_confirmed": "on",
    "arrival-pregnancy": "not_applicable",
    "arrival-weight_kg": "70",
    "arrival-self_harm_today": "no",
    **_values("reading", READING_OK),
}
_DISCHARGE_BASE = {
    "discharge-vitals_near_baseline": "on",
    "discharge-alert_and_oriented": "on",
    "discharge-walks_steadily": "on",
    "discharge-escort_name": "Robin",
    "discharge-instructions_given": "on",
}

DOSING_FORMS: tuple[FormTarget, ...] = (
    FormTarget(
        "dosing:arrival",
        CLINICIAN,
        dosing_forms.ArrivalForm,
        kwargs=_seat("expected"),
        fields=(*_prefixed(dosing_forms.ArrivalForm), *_prefixed(dosing_forms.ReadingForm)),
        base=_ARRIVAL_BASE,
        # Thoughts of self-harm raise the safety alert with the arrival, never without it.
    ),
    FormTarget(
        "dosing:recheck",
        CLINICIAN,
        dosing_forms.ReadingForm,
        kwargs=_seat("recheck"),
        fields=tuple(_prefixed(dosing_forms.ReadingForm, "recheck")),
        base=_values("recheck", READING_OK),
    ),
    FormTarget(
        "dosing:override",
        CLINICIAN,
        dosing_forms.OverrideForm,
        kwargs=_seat("override"),
        base={"override-reason": "Rested; prescriber reviewed"},
    ),
    FormTarget(
        "dosing:not_dosed",
        CLINICIAN,
        dosing_forms.NotDosedForm,
        kwargs=_seat("not_dosed"),
        base={"notdosed-reason": "Unwell"},
    ),
    FormTarget(
        "dosing:dose",
        CLINICIAN,
        dosing_forms.DoseForm,
        kwargs=_seat("gate_passed"),
        base=_dose_base,
    ),
    FormTarget(
        "dosing:vitals",
        CLINICIAN,
        dosing_forms.VitalsForm,
        kwargs=_seat("dosed"),
        base=_values("vitals", VITALS_OK),
    ),
    FormTarget(
        "dosing:event",
        CLINICIAN,
        dosing_forms.AdverseEventForm,
        kwargs=_seat("dosed"),
        base={"event-kind": "nausea", "event-severity": "mild", "event-action_taken": "Rest"},
    ),
    FormTarget(
        "dosing:event_resolve",
        CLINICIAN,
        dosing_forms.ResolveForm,
        kwargs=lambda world: {**_seat("dosed")(world), "event_pk": _dosing(world)["event"].pk},
        fields=lambda world: [f"resolve-{_dosing(world)['event'].pk}-note"],
    ),
    FormTarget(
        "dosing:discharge",
        CLINICIAN,
        dosing_forms.DischargeForm,
        kwargs=_seat("discharge"),
        base=_DISCHARGE_BASE,
    ),
    FormTarget(
        "dosing:correct",
        CLINICIAN,
        dosing_forms.CorrectionReasonForm,
        kwargs=lambda world: {
            **_seat("dosed")(world),
            "kind": "vitals",
            "entry_pk": _dosing(world)["vitals"].pk,
        },
        fields=(
            *_prefixed(dosing_forms.VitalsForm),
            *_prefixed(dosing_forms.CorrectionReasonForm),
        ),
        base={**_values("vitals", VITALS_OK), "correction-correction_reason": "Typed wrong"},
    ),
)

FORMS: tuple[FormTarget, ...] = (
    # Accounts.
    FormTarget(
        "participants:signup",
        ANONYMOUS,
        participant_forms.SignupForm,
        base={
            "first_name": "Ana",
            "last_name": "Reyes",
            "preferred_name": "",
            "email": "ana.fuzz@example.org",
            "date_of_birth": "1990-04-02",
            "password1": "a-long-passphrase-for-tests",
            "password2": "a-long-passphrase-for-tests",
        },
    ),
    FormTarget(
        "participants:resend_verification",
        ANONYMOUS,
        participant_forms.ResendVerificationForm,
    ),
    FormTarget(
        "participants:login",
        ANONYMOUS,
        participant_forms.LoginForm,
        fields=("username", "password", "next"),
        params=("next",),
    ),
    FormTarget("participants:password_reset", ANONYMOUS, participant_forms.PasswordResetForm),
    FormTarget(
        "participants:password_reset_confirm",
        ANONYMOUS,
        participant_forms.SetPasswordForm,
        kwargs=lambda world: {"uidb64": world.reset_uid, "token": "set-password"},
        prime=lambda world, client: client.get(world.reset_url),
    ),
    FormTarget(
        "participants:password_change", NEW_PARTICIPANT, participant_forms.PasswordChangeForm
    ),
    FormTarget("participants:profile", NEW_PARTICIPANT, participant_forms.ProfileForm),
    FormTarget("participants:my_data", NEW_PARTICIPANT, participant_forms.AccountCloseForm),
    FormTarget(
        "participants:two_factor_setup",
        STAFF_UNVERIFIED,
        participant_forms.SecondFactorForm,
        fields=("code", "next"),
        params=("next",),
    ),
    # Screening, consent, check-ins.
    *(
        FormTarget(
            "participants:screening_section",
            PARTICIPANT,
            participant_forms.ScreeningSectionForm,
            kwargs=lambda world, slug=section.slug: {
                "public_id": world.draft.public_id,
                "slug": slug,
            },
            fields=_screening_fields(section.slug),
            # The safety path: an answer that raises an alert raises it even while another
            # answer of the section still needs attention (DESIGN.md, "Safety path").
            saves_when_refused=("participants.SafetyAlert",),
        )
        for section in SECTIONS
    ),
    FormTarget("participants:consent_sign", NEW_PARTICIPANT, participant_forms.ConsentSignForm),
    FormTarget(
        "followup:checkin",
        PARTICIPANT,
        CheckInForm,
        kwargs=lambda world: {"public_id": world.checkin.public_id},
        fields=lambda world: list(CheckInForm(checkin=world.checkin).fields),
        # As in the screening: "I would like to talk to someone" raises its alert at once.
        saves_when_refused=("participants.SafetyAlert",),
    ),
    # Clinicians.
    FormTarget(
        "participants:review_detail",
        CLINICIAN,
        participant_forms.DecisionForm,
        kwargs=lambda world: {"public_id": world.submitted.public_id},
    ),
    FormTarget(
        "participants:review_interpreter",
        CLINICIAN,
        participant_forms.InterpreterAnswersForm,
        kwargs=lambda world: {
            "public_id": world.interpreter_waiting.public_id,
            "instrument": "phq9",
        },
        fields=tuple(f"phq9-{code}" for code in SECTIONS_BY_SLUG["phq9"].codes),
        base={
            **{f"phq9-{code}": "0" for code in PHQ9_CODES},
            "phq9-phq9_difficulty": "somewhat",
        },
    ),
    FormTarget(
        "admin:participants_instrumenttranslation_add",
        ADMIN,
        participant_forms.InstrumentTranslationUploadForm,
    ),
    FormTarget(
        "participants:alert_detail",
        CLINICIAN,
        participant_forms.AlertCloseForm,
        kwargs=lambda world: {"public_id": world.alert.public_id},
    ),
    FormTarget(
        "participants:flag_rule_create",
        CLINICIAN,
        participant_forms.FlagRuleForm,
        base=lambda world: {
            "code": "fuzz-rule",
            "field": "age",
            "operator": FlagOperator.values[0],
            "value": "18",
            "severity": FlagSeverity.values[0],
            "message": "Check the age.",
            "is_active": "on",
        },
    ),
    FormTarget(
        "participants:flag_rule_edit",
        ADMIN,
        participant_forms.FlagRuleForm,
        kwargs=lambda world: {"pk": world.flag_rule.pk},
    ),
    # Admins: the team.
    FormTarget(
        "team:list",
        ADMIN,
        participant_forms.StaffInviteForm,
        base={
            "first_name": "Lee",
            "last_name": "Park",
            "email": "lee.fuzz@example.org",
            "role": "coordinator",
        },
    ),
    FormTarget(
        "team:set_active",
        ADMIN,
        None,
        # Another staff member than the fuzz's own coordinator, who must stay signed in.
        kwargs=lambda world: {"pk": world.spare_staff.pk},
        fields=("active",),
    ),
    # Admins: failed messages, sent again one by one or all at once.
    FormTarget("participants:staff_failed_messages_retry", ADMIN, None, fields=("id", "all")),
    # Participants: seats.
    FormTarget(
        "sessions_app:session_enroll",
        PARTICIPANT,
        enrollment_forms.EnrollForm,
        kwargs=lambda world: {"pk": world.dosing_session.pk},
        base={
            "ride_home_name": "Sam",
            "ride_home_phone": "+18015550100",
            "instructions_acknowledged": "on",
        },
    ),
    FormTarget(
        "sessions_app:offer_accept",
        PARTICIPANT,
        enrollment_forms.EnrollForm,
        kwargs=lambda world: {"pk": world.offer.pk},
    ),
    FormTarget(
        "sessions_app:enrollment_cancel",
        PARTICIPANT,
        enrollment_forms.ParticipantCancelForm,
        kwargs=lambda world: {"pk": world.seat.pk},
    ),
    # Participants: programs (cohorts).
    FormTarget(
        "cohorts:cohort_join",
        PARTICIPANT,
        cohort_participant_forms.JoinForm,
        kwargs=lambda world: _program(world, member=False),
        base={
            "ride_home_name": "Sam",
            "ride_home_phone": "+18015550100",
            "instructions_acknowledged": "on",
        },
    ),
    FormTarget(
        "cohorts:waitlist_accept",
        PARTICIPANT,
        cohort_participant_forms.JoinForm,
        kwargs=_program_offer,
        base={
            "ride_home_name": "Sam",
            "ride_home_phone": "+18015550100",
            "instructions_acknowledged": "on",
        },
    ),
    FormTarget(
        "cohorts:cohort_leave",
        PARTICIPANT,
        cohort_participant_forms.LeaveForm,
        kwargs=lambda world: _program(world, member=True),
    ),
    # Staff: programs (cohorts).
    FormTarget(
        "cohorts_staff:cohort_create",
        COORDINATOR,
        cohort_staff_forms.CohortForm,
        base=_cohort_base,
    ),
    FormTarget(
        "cohorts_staff:group_size",
        COORDINATOR,
        cohort_staff_forms.GroupSizeForm,
        kwargs=lambda world: _program(world, member=True),
        base={"capacity": "8", "min_participants": "0"},
    ),
    FormTarget(
        "cohorts_staff:seat_cancel",
        COORDINATOR,
        cohort_staff_forms.ReasonForm,
        kwargs=_member,
    ),
    FormTarget(
        "cohorts_staff:member_remove",
        COORDINATOR,
        cohort_staff_forms.ReasonForm,
        kwargs=lambda world: {k: v for k, v in _member(world).items() if k != "seat_pk"},
    ),
    # Staff: scheduling.
    FormTarget(
        "sessions_app:staff_session_create",
        COORDINATOR,
        session_forms.SessionForm,
        base=_session_base,
    ),
    FormTarget(
        "sessions_app:staff_series_create",
        COORDINATOR,
        session_forms.SeriesForm,
        base=lambda world: {**_session_base(world), "weeks": "3"},
    ),
    FormTarget(
        "sessions_app:staff_session_edit",
        COORDINATOR,
        session_forms.SessionForm,
        kwargs=_session,
        base=_session_base,
    ),
    FormTarget(
        "sessions_app:staff_session_cancel",
        COORDINATOR,
        session_forms.CancelForm,
        kwargs=lambda world: {"pk": world.spare_session.pk},
    ),
    FormTarget(
        "sessions_app:staff_session_reschedule",
        COORDINATOR,
        session_forms.RescheduleForm,
        kwargs=_session,
        base=lambda world: {
            key: value
            for key, value in _session_base(world).items()
            if key in ("date", "start_time", "end_time", "room")
        },
    ),
    FormTarget(
        "sessions_app:staff_session_duplicate",
        COORDINATOR,
        session_forms.DuplicateForm,
        kwargs=_session,
        base=lambda world: {"date": world.future_day.isoformat(), "start_time": "10:00"},
    ),
    # Staff: the roster.
    FormTarget(
        "sessions_app:staff_enroll",
        COORDINATOR,
        enrollment_forms.StaffEnrollForm,
        kwargs=_session,
        params=("q",),
        base=lambda world: {"enroll-participant": world.new_participant.pk, "enroll-reason": "x"},
    ),
    FormTarget(
        "sessions_app:staff_enrollment_cancel",
        COORDINATOR,
        enrollment_forms.StaffCancelForm,
        kwargs=_session,
    ),
    FormTarget(
        "sessions_app:staff_enrollment_move",
        COORDINATOR,
        enrollment_forms.StaffMoveForm,
        kwargs=_session,
    ),
    FormTarget(
        "sessions_app:staff_session_attendance",
        COORDINATOR,
        session_forms.AttendanceForm,
        kwargs=lambda world: {"pk": world.past_session.pk},
        fields=lambda world: [f"attendance-enrollment_{world.past_seat.pk}", "attendance-x"],
    ),
    # The SMS provider's webhook.
    FormTarget(
        "participants:sms_inbound",
        ANONYMOUS,
        None,
        fields=("From", "Body"),
        base={"From": "+18015550111", "Body": "STOP"},
        headers=lambda world: {"Authorization": f"Bearer {world.sms_token}"},
    ),
    *DOSING_FORMS,
)

# Forms no view binds to posted data, each with the reason it is not in FORMS.
NOT_POSTED: dict[type, str] = {
    # Read from the query string: its fields are QUERIES' parameters of the two staff pages.
    session_forms.SessionFilterForm: "GET filters of staff_dashboard and staff_session_list",
    # The base of every dosing-day form (its subclasses are in FORMS): never bound itself.
    EntryForm: "the base class of the dosing-day forms, each of which is registered",
}

QUERIES: tuple[QueryTarget, ...] = (
    QueryTarget("sessions_app:session_list", ANONYMOUS, ("type", "month")),
    QueryTarget(
        "sessions_app:staff_dashboard",
        COORDINATOR,
        ("view", "date", "session_type", "room", "staff", "status"),
    ),
    QueryTarget(
        "sessions_app:staff_session_list",
        COORDINATOR,
        ("date", "page", "session_type", "room", "staff", "status"),
    ),
    QueryTarget("sessions_app:staff_session_roster", COORDINATOR, ("q",), kwargs=_session),
    QueryTarget("sessions_app:my_sessions", PARTICIPANT, ("past",)),
    QueryTarget("participants:login", ANONYMOUS, ("next",)),
    QueryTarget("participants:two_factor_setup", STAFF_UNVERIFIED, ("next",)),
    QueryTarget("participants:two_factor_verify", STAFF_UNVERIFIED, ("next",)),
)

# Django admin: every registered ModelAdmin's add form (its fields) and change list (search,
# ordering, page and its list filters) are fuzzed as the Admin role; ``test_fuzz.py`` reads them
# from ``admin.site`` itself, so a new ModelAdmin is covered without an entry here.
ADMIN_LIST_PARAMS = ("q", "o", "p")
