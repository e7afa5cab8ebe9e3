"""The rules across a program template's steps, written once: admin's step formset asks them
before saving (``ProgramStep`` alone cannot see its siblings).

Steps are compared as wall-clock minutes counted from the cohort's start: a step on day 2 from
23:00 for 120 minutes reaches 01:00 on day 3 and meets a step starting there. Dosing days are
compared by their day numbers, as the enrollment rule compares a participant's dosing sessions
by their local dates (``sessions_app.services.eligibility``).
"""

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from cohorts.models import ProgramStep

MINUTES_PER_DAY = 24 * 60


@dataclass(frozen=True)
class StepError:
    """A rule one step breaks: which step (its index in the list checked), which field, why."""

    index: int
    field: str
    message: str


def _span(step: ProgramStep) -> tuple[int, int]:
    start = step.offset_days * MINUTES_PER_DAY + step.start_time.hour * 60 + step.start_time.minute
    return start, start + step.duration_minutes


def _describe(step: ProgramStep) -> str:
    return _("%(type)s on day %(day)s at %(time)s") % {
        "type": step.session_type.name,
        "day": step.offset_days,
        "time": step.start_time.strftime("%H:%M"),
    }


def template_steps_check(steps: Sequence[ProgramStep]) -> list[StepError]:
    """Every rule the steps break together (empty: fine): no two steps overlap in time (on the
    same day or across midnight), and two dosing steps lie at least the longer of their types'
    ``min_days_between_dosing`` apart. Each error names the later step and the one it meets."""
    errors: list[StepError] = []
    ordered = sorted(range(len(steps)), key=lambda i: _span(steps[i]))
    for later_rank, j in enumerate(ordered):
        later = steps[j]
        start_j, end_j = _span(later)
        for i in ordered[:later_rank]:
            earlier = steps[i]
            start_i, end_i = _span(earlier)
            if start_i < end_j and start_j < end_i:
                errors.append(
                    StepError(
                        j,
                        "start_time",
                        _("This step overlaps the %(other)s.") % {"other": _describe(earlier)},
                    )
                )
            if later.session_type.is_dosing and earlier.session_type.is_dosing:
                interval = max(
                    later.session_type.min_days_between_dosing or 0,
                    earlier.session_type.min_days_between_dosing or 0,
                )
                if interval and later.offset_days - earlier.offset_days < interval:
                    errors.append(
                        StepError(
                            j,
                            "offset_days",
                            _(
                                "Dosing sessions must be at least %(days)s days apart; the "
                                "%(other)s is closer."
                            )
                            % {"days": interval, "other": _describe(earlier)},
                        )
                    )
    return errors
