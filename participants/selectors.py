"""Reads of screenings, alerts and consent for pages and for other apps (enrollment)."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    BigIntegerField,
    Case,
    CharField,
    DateField,
    DateTimeField,
    F,
    Func,
    IntegerField,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from journease.clinic_time import clinic_today
from journease.prepared import Param, prepared_instances, prepared_row
from participants.instruments import Section
from participants.instruments.translations import INSTRUMENTS, ORIGINAL_LANGUAGE, section_in
from participants.language import reading_language
from participants.models import (
    AlertStatus,
    ConsentDocument,
    ConsentSignature,
    InstrumentTranslation,
    SafetyAlert,
    Screening,
    ScreeningStatus,
    User,
)


def screenings_approved_on(*, participant: User, day: datetime.date) -> QuerySet[Screening]:
    """The participant's approved screenings still valid on ``day`` (a clinic-local date): a
    queryset, so that a check can ask whether one exists inside a larger query."""
    return Screening.objects.filter(
        participant=participant, status=ScreeningStatus.APPROVED, valid_until__gte=day
    )


def screening_approved_on(*, participant: User, day: datetime.date) -> Screening | None:
    """The participant's approved screening still valid on ``day`` (a clinic-local date)."""
    found = prepared_instances(
        "screening approved on",
        lambda: screenings_approved_on(
            participant=Param("participant", BigIntegerField()), day=Param("day", DateField())
        ).order_by("-valid_until", "-pk")[:1],
        {"participant": participant.pk, "day": day},
    )
    return found[0] if found else None


def consent_version_current(*, now: datetime.datetime | None = None) -> int | None:
    """The consent version participants must have signed: the highest version published in the
    clinic's language (``settings.LANGUAGE_CODE``). A translation follows its version, never
    leads it: a version published only in another language is not yet current."""
    return _consent_versions_published(now).values_list("version", flat=True).first()


def _consent_versions_published(now: datetime.datetime | None) -> QuerySet[ConsentDocument]:
    """The clinic language's published consent versions, the current one first."""
    return ConsentDocument.objects.filter(
        language=settings.LANGUAGE_CODE, published_at__lte=now or timezone.now()
    ).order_by("-version")


def consent_document_current(
    *, now: datetime.datetime | None = None, language: str | None = None
) -> ConsentDocument | None:
    """The current version's text to read and sign: in ``language`` when that version is
    published in it, otherwise in the clinic's language (also when ``language`` is None).
    Compare its ``language`` with the reader's to know whether they read a translation."""
    now = now or timezone.now()
    published = ConsentDocument.objects.filter(published_at__lte=now)
    clinic = published.filter(language=settings.LANGUAGE_CODE).order_by("-version").first()
    if clinic is None or language in (None, clinic.language):
        return clinic
    return published.filter(version=clinic.version, language=language).first() or clinic


def consent_signature_current(
    *, participant: User, now: datetime.datetime | None = None
) -> ConsentSignature | None:
    """The participant's signature of the current consent version, in whichever language they
    signed it (none published or not signed: None)."""
    version = consent_version_current(now=now)
    if version is None:
        return None
    return (
        ConsentSignature.objects.filter(participant=participant, document__version=version)
        .select_related("document")
        .order_by("signed_at", "pk")
        .first()
    )


def consent_current_signatures(
    *, participant: User, now: datetime.datetime | None = None
) -> QuerySet[ConsentSignature]:
    """The participant's signatures of the current consent version, in any language (none
    published: none), the version read in the same query: a check can ask whether one exists
    inside a larger query, in one round trip."""
    current = _consent_versions_published(now).values("version")[:1]
    return ConsentSignature.objects.filter(
        participant=participant, document__version=Subquery(current)
    )


def consent_is_current(*, participant: User, now: datetime.datetime | None = None) -> bool:
    """Whether the participant signed the current consent version, in any language (none
    published: False)."""
    found = prepared_row(
        ("consent is current", settings.LANGUAGE_CODE),
        lambda: consent_current_signatures(
            participant=Param("participant", BigIntegerField()), now=Param("now", DateTimeField())
        ).values("pk")[:1],
        {"participant": participant.pk, "now": now or timezone.now()},
    )
    return found is not None


def instrument_translation_active(
    *, instrument: str, language: str
) -> InstrumentTranslation | None:
    """The loaded translation participants reading ``language`` see, if there is one."""
    return InstrumentTranslation.objects.filter(
        instrument=instrument, language=language, is_active=True
    ).first()


@dataclass(frozen=True)
class SectionWording:
    """A section as a reader of ``language`` sees it. PHQ-9, GAD-7 and the C-SSRS screener
    appear in English or in a loaded translation, word for word; without one, the reader is told
    that a clinician will go through them with an interpreter (``interpreter_needed``)."""

    section: Section
    language: str
    translation: InstrumentTranslation | None = None
    interpreter_needed: bool = False

    @property
    def record(self) -> dict:
        """What a screening keeps of the wording an instrument was answered in."""
        if self.translation is None:
            return {"language": self.language}
        return {
            "language": self.translation.language,
            "translation": self.translation.pk,
            "source": self.translation.source,
            "version": self.translation.version,
            "test_data": self.translation.test_data,
        }


def section_wording(*, section: Section, language: str) -> SectionWording:
    """The wording of ``section`` for a page in ``language`` (see ``SectionWording``)."""
    language = reading_language(language)
    if section.slug not in INSTRUMENTS or language == ORIGINAL_LANGUAGE:
        return SectionWording(section, language)
    translation = instrument_translation_active(instrument=section.slug, language=language)
    if translation is None:
        return SectionWording(section, language, interpreter_needed=True)
    return SectionWording(section_in(section.slug, translation.texts), language, translation)


def screening_latest(*, participant: User) -> Screening | None:
    return Screening.objects.filter(participant=participant).order_by("-created_at", "-pk").first()


def screening_list_for_participant(*, participant: User) -> QuerySet[Screening]:
    return Screening.objects.filter(participant=participant).order_by("-created_at", "-pk")


def screening_review_queue() -> list[Screening]:
    """Screenings waiting for a decision: safety first (alert, then review), then oldest first.

    Only what the queue shows of each (never the answers), with its participant's
    ``participant_first_name``, ``participant_last_name`` and ``participant_language`` (not the
    whole account); compiled once per process (``journease.prepared``), as every visit to the
    review queue reads it."""
    return prepared_instances(
        "screening review queue",
        lambda: (
            Screening.objects.filter(
                status__in=(ScreeningStatus.SUBMITTED, ScreeningStatus.NEEDS_CONSULT)
            )
            .only(
                "public_id",
                "status",
                "safety_level",
                "flags",
                "submitted_at",
                "instrument_languages",
            )
            .annotate(
                participant_first_name=F("participant__first_name"),
                participant_last_name=F("participant__last_name"),
                participant_language=F("participant__language"),
            )
            .order_by("-safety_level", "submitted_at", "pk")
        ),
        {},
    )


def screening_recent_decisions(*, limit: int = 20) -> list[Screening]:
    """The latest ``limit`` decisions (approved or not), newest first: only what the page shows
    of each (status, when decided, until when valid), with the names of its participant
    (``participant_first_name``, ``participant_last_name``) and of the deciding clinician
    (``decided_by_first_name``, ``decided_by_last_name``); compiled once per process and limit
    (``journease.prepared``)."""
    return prepared_instances(
        ("screening recent decisions", limit),
        lambda: (
            Screening.objects.filter(
                status__in=(ScreeningStatus.APPROVED, ScreeningStatus.DECLINED)
            )
            .only("public_id", "status", "participant", "decided_at", "decided_by", "valid_until")
            .annotate(
                participant_first_name=F("participant__first_name"),
                participant_last_name=F("participant__last_name"),
                decided_by_first_name=F("decided_by__first_name"),
                decided_by_last_name=F("decided_by__last_name"),
            )
            .order_by("-decided_at", "-pk")[:limit]
        ),
        {},
    )


def safety_alert_list() -> QuerySet[SafetyAlert]:
    """Open alerts first (oldest first), then acknowledged, then the latest closed ones."""
    order = Case(
        When(status=AlertStatus.OPEN, then=Value(0)),
        When(status=AlertStatus.ACKNOWLEDGED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        SafetyAlert.objects.select_related("participant", "acknowledged_by", "screening")
        .annotate(status_order=order)
        .order_by("status_order", "created_at", "pk")
    )


def safety_alert_open_count() -> int:
    """Open safety alerts (every clinician's navigation shows the number, on every page): one
    query, compiled once (a plain ``COUNT``, which ``count()`` would build on each request)."""

    def count() -> QuerySet:
        return (
            SafetyAlert.objects.filter(status=Param("status", CharField()))
            .order_by()
            .annotate(open=Func(F("pk"), function="COUNT", output_field=IntegerField()))
            .values("open")
        )

    return prepared_row(("safety_alert_open_count",), count, {"status": AlertStatus.OPEN})["open"]


@dataclass(frozen=True)
class NextStep:
    code: str  # screen, continue, wait, consult, declined, rescreen, consent, enroll, or another
    # app's step (prepare, prepare_booked), which brings its own link
    message: str
    url: str = ""
    link_label: str = ""


# Steps between consent and enrolling belong to the sessions app (a preparation circle first):
# it registers ``step(participant=..., now=...) -> NextStep | None`` here, as it adds its sections
# to the data export, so that this app does not import it.
_STEPS_AFTER_CONSENT: list = []


# What apps above add to My program (the follow-up's open check-ins), by template name.
_PROGRAM_PARTS: dict = {}


def register_program_part(name: str, part) -> None:
    """``part(participant=...)`` gives what My program shows under ``name``."""
    _PROGRAM_PARTS[name] = part


def program_parts(*, participant: User) -> dict:
    return {name: part(participant=participant) for name, part in _PROGRAM_PARTS.items()}


def register_step_after_consent(step) -> None:
    """``step(participant=..., now=...)`` returns the step before enrolling, or None."""
    if step not in _STEPS_AFTER_CONSENT:
        _STEPS_AFTER_CONSENT.append(step)


def _step_after_consent(participant: User, now: datetime.datetime) -> NextStep:
    for step in _STEPS_AFTER_CONSENT:
        found = step(participant=participant, now=now)
        if found is not None:
            return found
    return NextStep("enroll", _("You can enroll in a session."))


def participant_next_step(
    *, participant: User, now: datetime.datetime | None = None
) -> tuple[NextStep, Screening | None, Screening | None]:
    """What the participant does next, their latest screening and the approval valid today."""
    now = now or timezone.now()
    latest = screening_latest(participant=participant)
    approved = screening_approved_on(participant=participant, day=clinic_today(now))
    step = _next_step(
        participant,
        now,
        latest=latest,
        approved=approved,
        consent_current=lambda: consent_is_current(participant=participant, now=now),
    )
    return step, latest, approved


def program_overview(*, participant: User, now: datetime.datetime | None = None) -> dict:
    """What My program shows of screening and consent, each read once: the next step
    (``participant_next_step``'s), the screenings newest first (without their answers), the
    approval valid today and whether the current consent is signed."""
    now = now or timezone.now()
    screenings = prepared_instances(
        "screenings of",
        lambda: screening_list_for_participant(
            participant=Param("participant", BigIntegerField())
        ).defer("answers"),
        {"participant": participant.pk},
    )
    latest = screenings[0] if screenings else None
    approved = screening_approved_on(participant=participant, day=clinic_today(now))
    consent_current = consent_is_current(participant=participant, now=now)
    step = _next_step(
        participant, now, latest=latest, approved=approved, consent_current=lambda: consent_current
    )
    return {
        "step": step,
        "latest": latest,
        "approved": approved,
        "consent_current": consent_current,
        "screenings": screenings,
    }


def _next_step(
    participant: User,
    now: datetime.datetime,
    *,
    latest: Screening | None,
    approved: Screening | None,
    consent_current,
) -> NextStep:
    """The rule of the next step; ``consent_current()`` is asked only once the screening allows
    enrolling."""
    if latest is not None and latest.status == ScreeningStatus.DRAFT:
        return NextStep("continue", _("Continue your screening questionnaire."))
    if latest is not None and latest.status == ScreeningStatus.SUBMITTED:
        return NextStep("wait", _("A clinician is reviewing your screening."))
    if latest is not None and latest.status == ScreeningStatus.NEEDS_CONSULT:
        return NextStep("consult", _("A clinician would like to talk with you before deciding."))
    if approved is None:
        if latest is None:
            return NextStep("screen", _("Start with the confidential screening questionnaire."))
        if latest.status == ScreeningStatus.DECLINED:
            return NextStep("declined", _("Your screening was reviewed; please contact us."))
        return NextStep("rescreen", _("Your approval has expired: please screen again."))
    if not consent_current():
        return NextStep("consent", _("Read and sign the informed consent."))
    return _step_after_consent(participant, now)
