"""Screening: drafts saved section by section, submission with scoring, and the clinical decision.

Answers never reach a log line, a URL or a message: logs name screenings by primary key only.
"""

import datetime
import logging

from celery import shared_task
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from journease.clinic_time import clinic_today
from participants.access import may_decide_eligibility
from participants.instruments import CSSRS_AFTER_2, QUESTIONS, SECTIONS, SECTIONS_BY_SLUG, YES
from participants.instruments.translations import INSTRUMENT_NAMES, INSTRUMENTS, ORIGINAL_LANGUAGE
from participants.message_kinds import ParticipantMessage
from participants.models import (
    Role,
    SafetyLevel,
    Screening,
    ScreeningDecision,
    ScreeningPolicy,
    ScreeningStatus,
    User,
)
from participants.selectors import SectionWording, screening_approved_on
from participants.services.accounts import users_with_role
from participants.services.alerts import safety_alert_raise_for_screening
from participants.services.notify import (
    screening_decision_notify,
    staff_alert_notify,
)
from participants.services.scoring import (
    derived_values,
    flags_for,
    gad7_score,
    phq9_score,
    safety_assessment,
)

logger = logging.getLogger(__name__)

OPEN_STATUSES = (ScreeningStatus.DRAFT, ScreeningStatus.SUBMITTED, ScreeningStatus.NEEDS_CONSULT)
DECIDABLE_STATUSES = (ScreeningStatus.SUBMITTED, ScreeningStatus.NEEDS_CONSULT)


class ScreeningRefused(Exception):
    """A screening action that the clinic's rules do not allow; ``str()`` is for the person."""


def section_errors(*, slug: str, values: dict) -> dict[str, str]:
    """Rules across the answers of one section (plus missing required answers), by field."""
    section = SECTIONS_BY_SLUG[slug]
    errors: dict[str, str] = {}
    for question in section.questions:
        value = values.get(question.code)
        if question.required and (value is None or value == "" or value == []):
            errors[question.code] = str(_("Please answer this question."))
    classes = values.get("medication_classes") or []
    if slug == "medications" and "none" in classes and len(classes) > 1:
        errors["medication_classes"] = str(
            _("You ticked “I take no regular medicines” and a kind of medicine: choose one.")
        )
    if slug == "pregnancy_bp":
        systolic, diastolic = values.get("systolic"), values.get("diastolic")
        if (systolic is None) != (diastolic is None):
            missing = "diastolic" if diastolic is None else "systolic"
            errors.setdefault(missing, str(_("Give both numbers, or leave both empty.")))
        elif systolic is not None and systolic <= diastolic:
            errors.setdefault(
                "systolic", str(_("The upper number is always higher than the lower one."))
            )
    if slug == "cssrs" and values.get("cssrs_2") == YES:
        for code in CSSRS_AFTER_2:
            if not values.get(code):
                errors[code] = str(_("Please answer this question."))
    if slug == "cssrs" and values.get("cssrs_6") == YES and not values.get("cssrs_6_recent"):
        errors["cssrs_6_recent"] = str(_("Please tell us whether this was in the past 3 months."))
    return errors


def screening_sections_done(screening: Screening) -> list[str]:
    """Slugs of the sections whose saved answers are complete and consistent."""
    awaiting = screening.instruments_awaiting_interpreter
    return [
        section.slug
        for section in SECTIONS
        if section.slug in awaiting
        or (
            all(code in screening.answers for code in section.codes)
            and not section_errors(slug=section.slug, values=screening.answers)
        )
    ]


def screening_start(*, participant: User, now: datetime.datetime | None = None) -> Screening:
    """The participant's draft, created when they may start one.

    A participant has at most one open screening; one with an approval still valid today does not
    screen again. Earlier screenings stay on record.
    """
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=participant.pk).first()
        draft = Screening.objects.filter(
            participant=participant, status=ScreeningStatus.DRAFT
        ).first()
        if draft is not None:
            return draft
        if Screening.objects.filter(
            participant=participant, status__in=DECIDABLE_STATUSES
        ).exists():
            raise ScreeningRefused(_("Your screening is waiting for a clinician's review."))
        if screening_approved_on(participant=participant, day=clinic_today(now)):
            raise ScreeningRefused(_("Your screening is approved and still valid."))
        screening = Screening.objects.create(participant=participant)
    logger.info("screening started screening_id=%s", screening.pk)
    return screening


def screening_save_section(
    *,
    screening: Screening,
    slug: str,
    values: dict,
    wording: SectionWording | None = None,
    now: datetime.datetime | None = None,
) -> int:
    """Keep a draft's answers for one section (only that section's questions).

    Partial answers are kept too, so nothing typed is lost. For PHQ-9, GAD-7 and the C-SSRS
    screener, the language and translation the page showed (``wording``; English when not
    given) is recorded with the answers. A safety answer raises the safety alert at once, before
    the screening is submitted. Returns the safety level now.
    """

    section = SECTIONS_BY_SLUG[slug]
    if wording is not None and wording.interpreter_needed:
        raise ScreeningRefused(_("A clinician will go through this part with you."))
    with transaction.atomic():
        screening = Screening.objects.select_for_update().get(pk=screening.pk)
        if not screening.is_draft:
            raise ScreeningRefused(_("This screening was submitted and can no longer change."))
        for code in section.codes:
            if code in values:
                screening.answers[code] = values[code]
        if slug in INSTRUMENTS:
            screening.instrument_languages[slug] = (
                wording.record if wording else {"language": ORIGINAL_LANGUAGE}
            )
        level, reasons = safety_assessment(screening.answers)
        screening.safety_level = level
        screening.save(
            update_fields=["answers", "instrument_languages", "safety_level", "updated_at"]
        )
        if level == SafetyLevel.ALERT:
            safety_alert_raise_for_screening(screening=screening, reasons=reasons, now=now)
    return level


def screening_submit(*, screening: Screening, now: datetime.datetime | None = None) -> Screening:
    """Score a complete draft, apply the flag rules and the safety rules, and send it for review.

    Raises ``ScreeningRefused`` naming the first incomplete section. Clinicians who decide
    eligibility hear of it once the transaction commits.
    """
    now = now or timezone.now()
    with transaction.atomic():
        screening = (
            Screening.objects.select_for_update(of=("self",))
            .select_related("participant__participant_profile")
            .get(pk=screening.pk)
        )
        if not screening.is_draft:
            raise ScreeningRefused(_("This screening was already submitted."))
        done = screening_sections_done(screening)
        missing = [section for section in SECTIONS if section.slug not in done]
        if missing:
            raise ScreeningRefused(
                _("Please complete “%(section)s” first.") % {"section": missing[0].title}
            )
        screening.status = ScreeningStatus.SUBMITTED
        screening.submitted_at = now
        screening_score(screening=screening, now=now)
        screening_id = screening.pk
        transaction.on_commit(lambda: notify_screening_submitted.delay(screening_id), robust=True)
    logger.info("screening submitted screening_id=%s", screening.pk)
    return screening


def screening_score(*, screening: Screening, now: datetime.datetime) -> Screening:
    """Score a locked screening's answers, apply the flag rules and the safety rules, and save.

    An instrument still waiting for an interpreter has no score yet. A safety answer raises the
    safety alert (once per screening).
    """
    answers = screening.answers
    phq9, gad7 = phq9_score(answers), gad7_score(answers)
    level, reasons = safety_assessment(answers)
    values = derived_values(
        answers=answers,
        date_of_birth=screening.participant.participant_profile.date_of_birth,
        day=clinic_today(now),
    )
    flags = flags_for(values=values)
    if level == SafetyLevel.REVIEW:
        flags.insert(
            0,
            {"code": "cssrs-1", "field": "cssrs_1", "severity": "safety", "message": reasons[0]},
        )
    screening.phq9_total, screening.phq9_band = (phq9.total, phq9.band) if phq9 else (None, "")
    screening.gad7_total, screening.gad7_band = (gad7.total, gad7.band) if gad7 else (None, "")
    screening.flags = flags
    screening.safety_level = level
    screening.save()
    if level == SafetyLevel.ALERT:
        safety_alert_raise_for_screening(screening=screening, reasons=reasons, now=now)
    return screening


def screening_decide(
    *,
    screening: Screening,
    clinician: User,
    decision: str,
    note: str,
    now: datetime.datetime | None = None,
) -> Screening:
    """Record a clinician's decision: approve (valid for the policy's days), needs consult (not
    final), or decline. Only a clinician with *decide eligibility* decides; the participant is
    told the outcome, without clinical detail, once the transaction commits."""
    if not may_decide_eligibility(clinician):
        raise PermissionDenied
    if decision not in ScreeningDecision.values:
        raise ValidationError({"decision": _("Choose a decision.")})
    if not note.strip():
        raise ValidationError({"note": _("Please write a note for the record.")})
    now = now or timezone.now()
    with transaction.atomic():
        screening = Screening.objects.select_for_update().get(pk=screening.pk)
        if screening.status not in DECIDABLE_STATUSES:
            raise ScreeningRefused(_("This screening is not waiting for a decision."))
        awaiting = screening.instruments_awaiting_interpreter
        if decision == ScreeningDecision.APPROVE and awaiting:
            raise ScreeningRefused(
                _(
                    "%(instruments)s still wait for the answers given through an interpreter: "
                    "record them on this page before approving."
                )
                % {"instruments": ", ".join(INSTRUMENT_NAMES[slug] for slug in awaiting)}
            )
        screening.status = decision
        screening.decided_at = now
        screening.decided_by = clinician
        screening.decision_note = note.strip()
        screening.decision_notice_sent_at = None
        screening.valid_until = None
        if decision == ScreeningDecision.APPROVE:
            days = ScreeningPolicy.current().approval_valid_days
            screening.valid_until = clinic_today(now) + datetime.timedelta(days=days)
        screening.save()
        screening_id = screening.pk
        transaction.on_commit(lambda: notify_screening_decision.delay(screening_id), robust=True)
    logger.info("screening decided screening_id=%s by user_id=%s", screening.pk, clinician.pk)
    return screening


def eligibility_deciders() -> QuerySet[User]:
    """Active clinicians holding *decide eligibility* (given per person)."""
    permission = Permission.objects.filter(
        content_type__app_label="participants", codename="decide_eligibility"
    ).first()
    return users_with_role(Role.CLINICIAN).filter(
        Q(user_permissions=permission) | Q(groups__permissions=permission)
    )


def screening_review_notice_send(
    *, screening_id: int, now: datetime.datetime | None = None
) -> bool:
    """Tell the eligibility deciders that a screening waits for review, once per screening."""
    with transaction.atomic():
        screening = (
            Screening.objects.select_for_update()
            .filter(pk=screening_id, review_notice_sent_at__isnull=True)
            .exclude(status=ScreeningStatus.DRAFT)
            .first()
        )
        if screening is None:
            return False
        staff_alert_notify(
            kind=ParticipantMessage.STAFF_NEW_SCREENING,
            recipients=eligibility_deciders(),
            about=screening,
        )
        screening.review_notice_sent_at = now or timezone.now()
        screening.save(update_fields=["review_notice_sent_at"])
    return True


@shared_task(name="participants.notify_screening_submitted", ignore_result=True)
def notify_screening_submitted(screening_id: int) -> bool:
    """Queued after a submission commits: tell the clinicians who decide eligibility; once."""
    return screening_review_notice_send(screening_id=screening_id)


def screening_decision_notice_send(
    *, screening_id: int, now: datetime.datetime | None = None
) -> bool:
    """Tell the participant that a decision is ready, once per decision."""
    with transaction.atomic():
        screening = (
            Screening.objects.select_for_update()
            .filter(pk=screening_id, decision_notice_sent_at__isnull=True, decided_at__isnull=False)
            .first()
        )
        if screening is None:
            return False
        screening_decision_notify(screening=screening)
        screening.decision_notice_sent_at = now or timezone.now()
        screening.save(update_fields=["decision_notice_sent_at"])
    return True


@shared_task(name="participants.notify_screening_decision", ignore_result=True)
def notify_screening_decision(screening_id: int) -> bool:
    """Queued after a decision commits: tell the participant a decision is ready; once."""
    return screening_decision_notice_send(screening_id=screening_id)


NOTICE_GRACE = datetime.timedelta(minutes=1)


def screening_notices_send_pending(*, now: datetime.datetime | None = None) -> int:
    """Send review and decision notices whose task never ran (a worker or the broker was down)."""
    now = now or timezone.now()
    cutoff = now - NOTICE_GRACE
    review = Screening.objects.filter(
        status__in=DECIDABLE_STATUSES, review_notice_sent_at__isnull=True, submitted_at__lte=cutoff
    ).values_list("pk", flat=True)
    decided = Screening.objects.filter(
        decided_at__lte=cutoff, decision_notice_sent_at__isnull=True
    ).values_list("pk", flat=True)
    sent = sum(screening_review_notice_send(screening_id=pk, now=now) for pk in list(review))
    return sent + sum(
        screening_decision_notice_send(screening_id=pk, now=now) for pk in list(decided)
    )


def answer_display(code: str, value) -> str:
    """A stored answer as the words the participant chose (for the clinician's review page)."""
    question = QUESTIONS.get(code)
    if value is None or value == "" or value == []:
        return "—"
    if question is None or not question.choices:
        return str(value)
    labels = {str(key): str(label) for key, label in question.choices}
    if isinstance(value, list):
        return "; ".join(labels.get(str(item), str(item)) for item in value)
    label = labels.get(str(value), str(value))
    return f"{label} ({value})" if question.kind == "scale" else label
