"""PHQ-9, GAD-7 and the C-SSRS screener for a participant who cannot read them in their language.

Without a loaded validated translation, the participant leaves the instrument to a clinician,
who goes through it with them and an interpreter and records the answers on the review page
with the English wording. Until then the screening may not be approved. Answers are stored by
the same codes as any other, so scoring, flags and the safety path are those of every screening.
"""

import datetime
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from participants.access import may_enter_interpreter_answers
from participants.instruments import SECTIONS_BY_SLUG
from participants.instruments.translations import INSTRUMENTS, ORIGINAL_LANGUAGE
from participants.models import INTERPRETER_NEEDED, INTERPRETER_RECORDED, Screening, User
from participants.services.scoring import safety_assessment
from participants.services.screening import (
    DECIDABLE_STATUSES,
    ScreeningRefused,
    screening_score,
    section_errors,
)

logger = logging.getLogger(__name__)


def screening_defer_to_interpreter(*, screening: Screening, slug: str, language: str) -> None:
    """The participant leaves an instrument to a clinician and an interpreter: the draft keeps
    no answer of it (any would be in another wording), and its safety level never drops here
    (an alert already raised stays raised)."""
    if slug not in INSTRUMENTS:
        raise ScreeningRefused(_("This part of the questionnaire is answered here."))
    section = SECTIONS_BY_SLUG[slug]
    with transaction.atomic():
        screening = Screening.objects.select_for_update().get(pk=screening.pk)
        if not screening.is_draft:
            raise ScreeningRefused(_("This screening was submitted and can no longer change."))
        for code in section.codes:
            screening.answers.pop(code, None)
        screening.instrument_languages[slug] = {
            "language": language,
            "interpreter": INTERPRETER_NEEDED,
        }
        level, _reasons = safety_assessment(screening.answers)
        screening.safety_level = max(screening.safety_level, level)
        screening.save(
            update_fields=["answers", "instrument_languages", "safety_level", "updated_at"]
        )
    logger.info("screening instrument left to an interpreter screening_id=%s", screening.pk)


def screening_record_interpreter_answers(
    *,
    screening: Screening,
    clinician: User,
    instrument: str,
    values: dict,
    now: datetime.datetime | None = None,
) -> Screening:
    """Record the answers a participant gave through an interpreter to an instrument waiting
    for them, then score the screening again as at submission: totals, bands, flags and the
    safety rules, raising the safety alert when the answers call for it.

    Only a clinician records them; only on a screening waiting for a decision.
    """
    if not may_enter_interpreter_answers(clinician):
        raise PermissionDenied
    if instrument not in INSTRUMENTS:
        raise ScreeningRefused(_("This part of the questionnaire is answered by the participant."))
    section = SECTIONS_BY_SLUG[instrument]
    values = {code: values.get(code) for code in section.codes}
    errors = section_errors(slug=instrument, values=values)
    if errors:
        raise ValidationError(errors)
    now = now or timezone.now()
    with transaction.atomic():
        screening = (
            Screening.objects.select_for_update(of=("self",))
            .select_related("participant__participant_profile")
            .get(pk=screening.pk)
        )
        if screening.status not in DECIDABLE_STATUSES:
            raise ScreeningRefused(_("This screening is not waiting for a decision."))
        if instrument not in screening.instruments_awaiting_interpreter:
            raise ScreeningRefused(_("This part of the screening is not waiting for answers."))
        for code in section.codes:
            screening.answers[code] = "" if values[code] is None else values[code]
        screening.instrument_languages[instrument] = {
            **screening.instrument_languages[instrument],
            "interpreter": INTERPRETER_RECORDED,
            "wording": ORIGINAL_LANGUAGE,
            "entered_by": clinician.pk,
            "entered_by_name": clinician.get_full_name(),
            "entered_at": now.isoformat(),
        }
        screening_score(screening=screening, now=now)
    logger.info(
        "interpreter answers recorded screening_id=%s by user_id=%s", screening.pk, clinician.pk
    )
    return screening
