"""Integration check-ins: opened when attendance is taken, answered once, withdrawn on a
correction to no-show, reminded while unanswered. The safety path applies as in the screening.

The check-in days come from the session type (editable in admin): calendar days after the
session in the clinic's zone, at the type's local prompt hour (``local_day_at``).
"""

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from followup.message_kinds import PROMPT_KINDS, FollowUpMessage
from followup.models import SCORED_KINDS, CheckIn, CheckInKind, Practice
from journease.clinic_time import local_day_at
from outbox.models import Notification, NotificationStatus
from outbox.services.planning import notification_plan, notifications_cancel
from participants.instruments import GAD7_CODES, PHQ9_CODES
from participants.models import SafetyLevel
from participants.services.alerts import safety_alert_raise
from participants.services.scoring import gad7_score, phq9_score, safety_assessment
from sessions_app.models import Enrollment, EnrollmentStatus

logger = logging.getLogger(__name__)

K = FollowUpMessage

# Each kind: the session type's field with its days after the session, and the prompt it sends.
CHECKIN_TIMING = (
    (CheckInKind.SELF_COMPASSION, "prompt_self_compassion_days", K.INTEGRATION_SELF_COMPASSION),
    (CheckInKind.SOMATIC, "prompt_somatic_days", K.INTEGRATION_SOMATIC),
    (CheckInKind.WEEK, "checkin_week_days", K.CHECKIN_WEEK),
    (CheckInKind.MONTH, "checkin_month_days", K.CHECKIN_MONTH),
)
PROMPT_KIND_FOR = {kind: prompt for kind, _field, prompt in CHECKIN_TIMING}

# An unanswered week or month check-in is reminded once a day, for up to this many days.
NUDGE_DAYS = 3

DEFAULT_PRACTICES = (
    ("self-compassion", gettext_lazy("Self-compassion practice"), 1),
    ("somatic", gettext_lazy("Somatic (body-based) practice"), 2),
)


class CheckInRefused(Exception):
    """A check-in that cannot be answered now; ``str()`` says why, for the participant."""


def ensure_default_practices() -> None:
    """Create the self-compassion and somatic practices if missing, in English and Spanish (a
    default whose Spanish is still blank gets it); never overwrites the clinic's edits."""
    for code, name, position in DEFAULT_PRACTICES:
        with translation.override("en"):
            english = str(name)
        with translation.override("es"):
            spanish = str(name)
        practice, _created = Practice.objects.get_or_create(
            code=code, defaults={"name": english, "name_es": spanish, "position": position}
        )
        if not practice.name_es and practice.name == english:
            Practice.objects.filter(pk=practice.pk, name_es="").update(name_es=spanish)


def checkin_path(checkin: CheckIn) -> str:
    """The link path of a check-in page (a message's ``path``): an opaque id, nothing else."""
    return reverse("followup:checkin", kwargs={"public_id": checkin.public_id})


def checkins_plan_for_attendance(
    *, enrollment: Enrollment, now: datetime.datetime | None = None
) -> list[CheckIn]:
    """Open the check-ins of an attended dosing seat, one per kind (idempotent).

    Returns every check-in of the seat, new or existing; a kind whose days are blank in the
    session type has none. The caller plans the prompts (``message_plans``).
    """
    session = enrollment.session
    session_type = session.session_type
    checkins = []
    for kind, days_field, _prompt in CHECKIN_TIMING:
        days = getattr(session_type, days_field)
        if days is None:
            continue
        opens_at = local_day_at(session.ends_at, days_after=days, at=session_type.prompt_local_time)
        checkin, _created = CheckIn.objects.get_or_create(
            enrollment=enrollment,
            kind=kind,
            defaults={"participant_id": enrollment.participant_id, "opens_at": opens_at},
        )
        checkin.enrollment = enrollment
        checkins.append(checkin)
    return checkins


def checkins_withdraw_for_enrollment(*, enrollment: Enrollment) -> int:
    """A correction to no-show: cancel the pending messages about the seat's check-ins and
    remove those not answered yet. An answered one is the participant's and stays, and so does
    one that raised a safety alert (the alert's record keeps pointing at it)."""
    withdrawn = 0
    for checkin in CheckIn.objects.filter(enrollment=enrollment, completed_at__isnull=True):
        notifications_cancel(subject=checkin)
        if checkin.safety_alert_id is None:
            checkin.delete()
            withdrawn += 1
    return withdrawn


def checkins_follow_attendance(
    *, enrollment: Enrollment, now: datetime.datetime | None = None
) -> None:
    """After attendance is taken: an attended dosing session opens the participant's check-ins
    and plans each one's prompt, at the type's days after,
    at its local hour, linking to that check-in; a correction to no-show withdraws them."""
    now = now or timezone.now()
    session = enrollment.session
    if enrollment.status != EnrollmentStatus.ATTENDED or not session.session_type.is_dosing:
        notifications_cancel(subject=enrollment, kinds=PROMPT_KINDS)
        checkins_withdraw_for_enrollment(enrollment=enrollment)
        return
    for checkin in checkins_plan_for_attendance(enrollment=enrollment, now=now):
        if checkin.completed_at is not None or checkin.opens_at <= now:
            continue
        notification_plan(
            recipient=enrollment.participant,
            kind=PROMPT_KIND_FOR[checkin.kind],
            subject=checkin,
            due_at=checkin.opens_at,
            context={"path": checkin_path(checkin)},
            now=now,
        )


def checkin_nudge_times(checkin: CheckIn, prompt_time: datetime.time) -> list[datetime.datetime]:
    """The reminders of an unanswered week or month check-in: the next days at the prompt hour."""
    if checkin.kind not in SCORED_KINDS:
        return []
    return [
        local_day_at(checkin.opens_at, days_after=day, at=prompt_time)
        for day in range(1, NUDGE_DAYS + 1)
    ]


def checkin_nudges_plan(*, now: datetime.datetime | None = None) -> int:
    """Plan the next daily reminder of each open, unanswered week or month check-in.

    The outbox keeps one pending message per recipient, kind and subject, so the reminders are
    planned one at a time by a periodic task: each run plans the earliest reminder still ahead
    (a no-op while one is pending). Answering cancels the pending one. Returns rows attempted.
    """
    now = now or timezone.now()
    window_start = now - datetime.timedelta(days=NUDGE_DAYS + 1)
    open_checkins = list(
        CheckIn.objects.filter(
            kind__in=SCORED_KINDS,
            completed_at__isnull=True,
            opens_at__lte=now,
            opens_at__gte=window_start,
            enrollment__status=EnrollmentStatus.ATTENDED,
        ).select_related("participant__participant_profile", "enrollment__session__session_type")
    )
    if not open_checkins:
        return 0
    planned_dues = set(
        Notification.objects.filter(
            kind=K.CHECKIN_NUDGE,
            subject_type=ContentType.objects.get_for_model(CheckIn),
            subject_id__in=[checkin.pk for checkin in open_checkins],
        )
        .exclude(status=NotificationStatus.CANCELLED)
        .values_list("subject_id", "due_at")
    )
    planned = 0
    for checkin in open_checkins:
        prompt_time = checkin.enrollment.session.session_type.prompt_local_time
        upcoming = [
            due
            for due in checkin_nudge_times(checkin, prompt_time)
            if due > now and (checkin.pk, due) not in planned_dues
        ]
        if not upcoming:
            continue
        notification_plan(
            recipient=checkin.participant,
            kind=K.CHECKIN_NUDGE,
            subject=checkin,
            due_at=upcoming[0],
            context={"path": checkin_path(checkin)},
            now=now,
        )
        planned += 1
    return planned


@dataclass(frozen=True)
class CheckInAnswers:
    mood: int
    reflection: str
    practices: Iterable[Practice]
    answers: dict  # PHQ-9 and GAD-7 item codes -> 0..3 (week and month check-ins)
    wants_contact: bool
    # What each instrument was answered in (``participants.selectors.section_wording``'s
    # record); {"interpreter": "needed"} for one not asked (no validated translation loaded).
    instruments: dict = field(default_factory=dict)

    def deferred(self) -> set[str]:
        return {slug for slug, record in self.instruments.items() if record.get("interpreter")}


def safety_reasons(*, answers: dict, wants_contact: bool) -> list[str]:
    """What in a check-in calls for a safety alert: PHQ-9 item 9 above 0 (as in the
    screening) or "I would like to talk to someone"."""
    level, reasons = safety_assessment(answers)
    found = [str(reason) for reason in reasons] if level == SafetyLevel.ALERT else []
    if wants_contact:
        found.append(_("Asked to talk to someone"))
    return found


def checkin_safety_raise(
    *, checkin: CheckIn, reasons: list[str], now: datetime.datetime | None = None
):
    """Raise the check-in's safety alert, once per check-in; clinicians are told at once."""
    if not reasons:
        return None
    with transaction.atomic():
        locked = CheckIn.objects.select_for_update().get(pk=checkin.pk)
        if locked.safety_alert_id is not None:
            checkin.safety_alert_id = locked.safety_alert_id
            return locked.safety_alert
        alert = safety_alert_raise(
            participant=checkin.participant,
            reason=_("Check-in: %(reasons)s") % {"reasons": "; ".join(reasons)},
            now=now,
        )
        CheckIn.objects.filter(pk=checkin.pk).update(safety_alert=alert)
        checkin.safety_alert = alert
    return alert


def checkin_complete(
    *, checkin: CheckIn, answers: CheckInAnswers, now: datetime.datetime | None = None
) -> CheckIn:
    """Record the participant's answers once, score PHQ-9 and GAD-7 at the week and month
    check-ins, raise a safety alert when the answers call for one, and stop the reminders."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = CheckIn.objects.select_for_update().get(pk=checkin.pk)
        if locked.is_completed:
            raise CheckInRefused(_("You already answered this check-in. Thank you."))
        if not locked.has_opened(now):
            raise CheckInRefused(_("This check-in is not open yet."))
        if not 0 <= answers.mood <= 10:
            raise CheckInRefused(_("Mood is a number from 0 to 10."))
        scored = {}
        if locked.is_scored:
            deferred = answers.deferred()
            asked = [
                code
                for slug, codes in (("phq9", PHQ9_CODES), ("gad7", GAD7_CODES))
                if slug not in deferred
                for code in codes
            ]
            missing = [code for code in asked if code not in answers.answers]
            if missing:
                raise CheckInRefused(_("Please answer every PHQ-9 and GAD-7 question."))
            scored = {code: int(answers.answers[code]) for code in asked}
            phq9, gad7 = phq9_score(scored), gad7_score(scored)
            if phq9 is not None:
                locked.phq9_total, locked.phq9_band = phq9.total, phq9.band
            if gad7 is not None:
                locked.gad7_total, locked.gad7_band = gad7.total, gad7.band
            locked.instrument_languages = answers.instruments
        locked.answers = scored
        locked.mood = answers.mood
        locked.reflection = answers.reflection.strip()
        locked.wants_contact = answers.wants_contact
        locked.completed_at = now
        locked.save()
        locked.practices.set(list(answers.practices))
        checkin_safety_raise(
            checkin=locked,
            reasons=safety_reasons(answers=scored, wants_contact=answers.wants_contact),
            now=now,
        )
        notifications_cancel(subject=locked, kinds=[K.CHECKIN_NUDGE])
    logger.info("check-in answered checkin_id=%s", locked.pk)
    return locked
