"""Weekly series: many sessions on the same local weekday and wall-clock time, created together.

Each date is checked by ``session_check`` under the locks of the room and the staff booked (the
lock order of ``locking.py``), as one session is (``scheduling.session_create``).
"""

import datetime
from dataclasses import replace

from django.db import transaction
from django.utils.translation import gettext as _

from journease.clinic_time import ClinicTimeError, clinic_datetime, local
from participants.models import User
from sessions_app.models import GroupSession, SessionStatus
from sessions_app.services.booking import (
    lock_booked_resources,
    scheduling_try_again,
    session_details_apply,
)
from sessions_app.services.locking import retried
from sessions_app.services.schedule_cache import schedule_changed
from sessions_app.services.scheduling_rules import (
    MAX_SERIES_WEEKS,
    SchedulingError,
    SeriesResult,
    SessionDetails,
    session_check,
)


@retried(give_up=scheduling_try_again)
def session_series_create(
    *,
    details: SessionDetails,
    weeks: int,
    created_by: User | None = None,
    publish: bool = False,
    now: datetime.datetime | None = None,
) -> SeriesResult:
    """Create ``weeks`` weekly sessions on the same local weekday and wall-clock time.

    Each start is built from the local date and time and then converted, so a series keeps its
    local time across daylight-saving changes. Dates that break a rule (a room or person already
    booked, ...) are skipped and reported, and so are dates on which that wall-clock time does
    not exist or happens twice (a clock change): each needs a decision from staff, never a
    silent shift. The others are created together, all or nothing. The first date is
    ``details``' own instants, as decided on the form (which of a repeated hour included).
    """
    if not 1 <= weeks <= MAX_SERIES_WEEKS:
        raise SchedulingError(
            {"weeks": [_("Choose between 1 and %(max)s weeks.") % {"max": MAX_SERIES_WEEKS}]}
        )
    first_start = local(details.starts_at)
    first_end = local(details.ends_at)
    day_span = first_end.date() - first_start.date()
    result = SeriesResult()
    with transaction.atomic():
        lock_booked_resources(details)
        for week in range(weeks):
            day = first_start.date() + datetime.timedelta(weeks=week)
            if week == 0:
                week_details = details
            else:
                try:
                    week_details = replace(
                        details,
                        starts_at=clinic_datetime(day, first_start.time()),
                        ends_at=clinic_datetime(day + day_span, first_end.time()),
                    )
                except ClinicTimeError as error:
                    result.skipped.append((day, [error.message]))
                    continue
            errors = session_check(details=week_details, publishing=publish, now=now)
            if errors:
                result.skipped.append((day, [m for ms in errors.values() for m in ms]))
                continue
            session = GroupSession(
                created_by=created_by,
                status=SessionStatus.PUBLISHED if publish else SessionStatus.DRAFT,
            )
            session_details_apply(session, week_details)
            result.created.append(session)
        schedule_changed()
    return result
