"""Test data. Factories make valid objects; tests override only what they are about."""

import datetime

import factory
from django.utils import timezone

from participants.models import ParticipantProfile, Role, User
from participants.services.accounts import user_grant_permission, user_set_role
from sessions_app.models import (
    Enrollment,
    GroupSession,
    Room,
    SessionKind,
    SessionStatus,
    SessionType,
    WaitlistEntry,
    WaitlistStatus,
)

TEST_PASSWORD = "a-long-test-password-42"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email_verified_at = factory.LazyFunction(timezone.now)
    password = factory.django.Password(TEST_PASSWORD)


class ParticipantProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ParticipantProfile

    user = factory.SubFactory(UserFactory)
    date_of_birth = datetime.date(1985, 6, 15)
    phone = "+18015550100"
    emergency_contact_name = "Morgan Example"
    emergency_contact_relationship = "Sibling"
    emergency_contact_phone = "+18015550199"


class ParticipantFactory(UserFactory):
    """A verified participant with a profile."""

    profile = factory.RelatedFactory(ParticipantProfileFactory, factory_related_name="user")

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        if create:
            user_set_role(user=obj, role=Role.PARTICIPANT)


class StaffFactory(UserFactory):
    """A staff member: ``role`` is Coordinator, Clinician or Admin; ``permissions`` personal ones."""

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        if create:
            user_set_role(user=obj, role=extracted or Role.COORDINATOR)

    @factory.post_generation
    def permissions(obj, create, extracted, **kwargs):
        if create:
            for codename in extracted or ():
                user_grant_permission(user=obj, codename=codename)


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Room {n}")
    capacity = 12
    location = "Journease, ground floor"


class SessionTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SessionType
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Circle {n}")
    kind = SessionKind.INTEGRATION
    duration_minutes = 90
    default_capacity = 8


class GroupSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupSession

    session_type = factory.SubFactory(SessionTypeFactory)
    title = factory.LazyAttribute(lambda o: o.session_type.name)
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + datetime.timedelta(minutes=90))
    room = factory.SubFactory(RoomFactory)
    capacity = 8
    status = SessionStatus.PUBLISHED


class DosingSessionTypeFactory(SessionTypeFactory):
    name = factory.Sequence(lambda n: f"Dosing session {n}")
    kind = SessionKind.DOSING
    duration_minutes = 180
    requires_medical_monitor = True


class EnrollmentFactory(factory.django.DjangoModelFactory):
    """A seat held by a new participant in a new published session."""

    class Meta:
        model = Enrollment

    participant = factory.SubFactory(ParticipantFactory)
    session = factory.SubFactory(GroupSessionFactory)


class WaitlistEntryFactory(factory.django.DjangoModelFactory):
    """A participant waiting for a seat; ``offered=True`` makes it an open offer for 12 hours."""

    class Meta:
        model = WaitlistEntry

    class Params:
        offered = factory.Trait(
            status=WaitlistStatus.OFFERED,
            offered_at=factory.LazyFunction(timezone.now),
            offer_expires_at=factory.LazyFunction(
                lambda: timezone.now() + datetime.timedelta(hours=12)
            ),
        )

    participant = factory.SubFactory(ParticipantFactory)
    session = factory.SubFactory(GroupSessionFactory)


# --- Screening, safety alerts and consent ------------------------------------------------------


def screening_answers(**overrides) -> dict:
    """A complete questionnaire with no flag and no safety answer (PHQ-9 and GAD-7 at 0)."""
    from participants.instruments import CSSRS_CODES, GAD7_CODES, PHQ9_CODES

    answers = {
        "psychosis": "no",
        "mania": "no",
        "heart_disease": "no",
        "high_blood_pressure": "no",
        "aneurysm_avm_bleed": "no",
        "glaucoma_icp": "no",
        "liver_disease": "no",
        "bladder_problems": "no",
        "sleep_apnea": "no",
        "ketamine_allergy": "no",
        "medical_other": "",
        "medication_classes": ["none"],
        "medications_other": "",
        "alcohol": "monthly",
        "cannabis": "no",
        "ketamine_pcp_misuse": "no",
        "substances_other": "",
        "pregnancy": "not_applicable",
        "systolic": 118,
        "diastolic": 76,
        "phq9_difficulty": "somewhat",
        "cssrs_6_recent": "",
    }
    answers.update(dict.fromkeys(PHQ9_CODES, 0))
    answers.update(dict.fromkeys(GAD7_CODES, 0))
    answers.update(dict.fromkeys(CSSRS_CODES, "no"))
    answers.update(overrides)
    return answers


class ScreeningFactory(factory.django.DjangoModelFactory):
    """A complete draft by default; pass ``status`` and times for a reviewed one."""

    class Meta:
        model = "participants.Screening"

    participant = factory.SubFactory(ParticipantFactory)
    answers = factory.LazyFunction(screening_answers)


class SubmittedScreeningFactory(ScreeningFactory):
    status = "submitted"
    submitted_at = factory.LazyFunction(timezone.now)
    phq9_total = 0
    phq9_band = "Minimal"
    gad7_total = 0
    gad7_band = "Minimal"


class ApprovedScreeningFactory(SubmittedScreeningFactory):
    status = "approved"
    decided_at = factory.LazyFunction(timezone.now)
    decided_by = factory.SubFactory(StaffFactory, role=Role.CLINICIAN)
    decision_note = "Fine to proceed."
    valid_until = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=180))


class SafetyAlertFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "participants.SafetyAlert"

    participant = factory.SubFactory(ParticipantFactory)
    reason = "PHQ-9 item 9 above 0"
    created_at = factory.LazyFunction(timezone.now)


class ConsentDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "participants.ConsentDocument"

    version = factory.Sequence(lambda n: n + 100)
    title = "Informed consent"
    body = "What the program is.\n\nYour choices."
    published_at = factory.LazyFunction(timezone.now)


# --- Integration check-ins ---------------------------------------------------------------------


class PracticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "followup.Practice"
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"practice-{n}")
    name = factory.Sequence(lambda n: f"Practice {n}")


class AttendedDosingEnrollmentFactory(EnrollmentFactory):
    """A seat marked attended at a dosing session that ended yesterday."""

    session = factory.SubFactory(
        GroupSessionFactory,
        session_type=factory.SubFactory(DosingSessionTypeFactory),
        starts_at=factory.LazyFunction(
            lambda: timezone.now() - datetime.timedelta(days=1, hours=3)
        ),
        status=SessionStatus.COMPLETED,
    )
    status = "attended"
    attendance_recorded_at = factory.LazyFunction(timezone.now)


class CheckInFactory(factory.django.DjangoModelFactory):
    """An open, unanswered week check-in of an attended dosing seat."""

    class Meta:
        model = "followup.CheckIn"

    enrollment = factory.SubFactory(AttendedDosingEnrollmentFactory)
    participant = factory.LazyAttribute(lambda o: o.enrollment.participant)
    kind = "week"
    opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=1))


# --- Enrollment, waitlist and calendars (issue 6) ---------------------------------------------


def current_consent_document():
    """The published consent version participants must sign (one is made when none exists)."""
    from participants.services.consent import consent_document_current

    return consent_document_current() or ConsentDocumentFactory(
        published_at=timezone.now() - datetime.timedelta(days=1)
    )


class ConsentSignatureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "participants.ConsentSignature"

    participant = factory.SubFactory(ParticipantFactory)
    document = factory.LazyFunction(current_consent_document)
    typed_name = factory.LazyAttribute(lambda o: o.participant.get_full_name())
    signed_at = factory.LazyFunction(timezone.now)


class EligibleParticipantFactory(ParticipantFactory):
    """A participant who may enroll: an approved screening valid 180 days and current consent."""

    @factory.post_generation
    def eligible(obj, create, extracted, **kwargs):
        if create:
            ApprovedScreeningFactory(participant=obj)
            ConsentSignatureFactory(participant=obj)


class PreparationSessionTypeFactory(SessionTypeFactory):
    name = factory.Sequence(lambda n: f"Preparation circle {n}")
    kind = SessionKind.PREPARATION


class DosingWithRulesSessionTypeFactory(DosingSessionTypeFactory):
    """A dosing type with the clinic's default rules: a preparation circle attended within 90
    days and 14 days between dosing sessions."""

    prerequisite_kind = SessionKind.PREPARATION
    prerequisite_within_days = 90
    min_days_between_dosing = 14
    preparation_instructions = "No food for 4 hours before. Arrange a ride home."
    public_name = "Group session"


class EnrollmentEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "sessions_app.EnrollmentEvent"

    enrollment = factory.SubFactory(EnrollmentFactory)
    action = "enrolled"
    at = factory.LazyFunction(timezone.now)
