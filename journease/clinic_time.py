"""Clinic time: every conversion between an instant and the clinic's local dates and clocks.

The clinic keeps one time zone (``CLINIC_TIME_ZONE``). Day-based rules use the clinic's date, never
the UTC one; a wall-clock time that a clock change skips or repeats is refused with words staff
can act on (``ClinicTimeError``), never quietly moved.
"""

import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


def clinic_zone() -> ZoneInfo:
    return ZoneInfo(settings.CLINIC_TIME_ZONE)


# The zones' names as people say them, in the reader's language; other zones go by their key.
_ZONE_NAMES = {
    "America/Denver": gettext_lazy("Mountain Time"),
    "America/Boise": gettext_lazy("Mountain Time"),
    "America/Phoenix": gettext_lazy("Mountain Standard Time (Arizona)"),
    "America/Chicago": gettext_lazy("Central Time"),
    "America/New_York": gettext_lazy("Eastern Time"),
    "America/Los_Angeles": gettext_lazy("Pacific Time"),
}


def clinic_zone_name() -> str:
    """The clinic's zone in words ("Mountain Time", "hora de la montaña")."""
    return str(_ZONE_NAMES.get(settings.CLINIC_TIME_ZONE, settings.CLINIC_TIME_ZONE))


class ClinicTimeError(ValueError):
    """A wall-clock time that names no single instant in the clinic's zone: it falls in the gap
    when clocks go forward (``NONEXISTENT``), or in the hour they go back over (``AMBIGUOUS``,
    unless the caller said which ``fold``). ``message`` says why in words staff can act on;
    ``choices`` names the first and the second occurrence of an ambiguous time."""

    NONEXISTENT = "nonexistent"
    AMBIGUOUS = "ambiguous"

    def __init__(
        self,
        *,
        code: str,
        day: datetime.date,
        time: datetime.time,
        message: str,
        choices: tuple[str, str] = ("", ""),
    ):
        self.code, self.day, self.time = code, day, time
        self.message, self.choices = message, choices
        super().__init__(message)


def _offset_change(
    zone: ZoneInfo, lo: datetime.datetime, hi: datetime.datetime
) -> datetime.datetime:
    """The first UTC instant after ``lo`` with the offset that ``hi`` has (``lo`` < ``hi``, with
    one change of offset between them). zoneinfo does not expose its transitions, so they are
    found by halving the interval, to the second."""
    after = hi.astimezone(zone).utcoffset()
    while hi - lo > datetime.timedelta(seconds=1):
        middle = lo + (hi - lo) / 2
        if middle.astimezone(zone).utcoffset() == after:
            hi = middle
        else:
            lo = middle
    return hi


def _clock(wall: datetime.datetime, *, meridiem: bool = True) -> str:
    return formats.date_format(wall, "g:i A" if meridiem else "g:i")


def _refuse_wall_time(
    day: datetime.date, time: datetime.time, first: datetime.datetime, second: datetime.datetime
) -> ClinicTimeError:
    """The error for ``time`` on ``day``, whose two readings (``fold`` 0 and 1) differ."""
    zone = clinic_zone()
    earlier, later = sorted((first.astimezone(datetime.UTC), second.astimezone(datetime.UTC)))
    change = _offset_change(zone, earlier, later)
    before = (change + first.utcoffset()).replace(tzinfo=None)  # fold 0: the offset before
    after = (change + second.utcoffset()).replace(tzinfo=None)
    same_half = _clock(before)[-2:] == _clock(after)[-2:]
    words = {
        "time": _clock(datetime.datetime.combine(day, time)),
        "day": formats.date_format(day, _("l j F Y")),
        "before": _clock(before, meridiem=not same_half),
        "after": _clock(after),
    }
    if first.utcoffset() < second.utcoffset():
        return ClinicTimeError(
            code=ClinicTimeError.NONEXISTENT,
            day=day,
            time=time,
            message=_(
                "%(time)s does not exist on %(day)s: clocks go forward from %(before)s to "
                "%(after)s. Choose another time."
            )
            % words,
        )
    names = {"first": first.tzname(), "second": second.tzname()}
    return ClinicTimeError(
        code=ClinicTimeError.AMBIGUOUS,
        day=day,
        time=time,
        message=_(
            "%(time)s happens twice on %(day)s: clocks go back from %(before)s to %(after)s. "
            "Say which one: the first (%(first)s, before the clocks go back) or the second "
            "(%(second)s, after)."
        )
        % {**words, **names},
        choices=(
            _("first (%(first)s, before the clocks go back)") % names,
            _("second (%(second)s, after)") % names,
        ),
    )


def clinic_datetime(
    day: datetime.date, time: datetime.time, *, fold: int | None = None
) -> datetime.datetime:
    """The aware instant of a wall-clock ``time`` on a local ``day`` in the clinic's zone.

    A time that does not exist that day (clocks going forward skip it) raises
    ``ClinicTimeError``, whatever ``fold`` says; one that happens twice (clocks going back repeat
    it) raises it too unless ``fold`` says which: 0 the first, 1 the second (``time.fold`` is not
    read, so that no caller picks one without saying so). zoneinfo itself would quietly move the
    first and pick the second.
    An instant in a repeated hour is returned in UTC: a datetime of the clinic's zone there
    compares unequal to every datetime of another zone (PEP 495), the database's included.
    """
    zone = clinic_zone()
    first = datetime.datetime.combine(day, time.replace(fold=0), tzinfo=zone)
    second = first.replace(fold=1)
    if first.utcoffset() == second.utcoffset():
        return first
    if first.utcoffset() < second.utcoffset() or fold not in (0, 1):
        raise _refuse_wall_time(day, time, first, second)
    return (second if fold else first).astimezone(datetime.UTC)


def clinic_day_start(day: datetime.date) -> datetime.datetime:
    """The first instant of a local ``day`` in the clinic's zone, also where midnight is skipped
    or repeated by a clock change (not in America/Denver, whose clocks change at 2 AM)."""
    midnight = datetime.datetime.combine(day, datetime.time.min, tzinfo=clinic_zone())
    if midnight.utcoffset() == midnight.replace(fold=1).utcoffset():
        return midnight
    # Read with the offset before the change (fold 0): the first of a repeated midnight, and in
    # a skipped one the instant the day begins.
    return midnight.astimezone(datetime.UTC)


def clinic_span_end_day(
    day: datetime.date, start: datetime.time, end: datetime.time
) -> datetime.date:
    """The local day a session held on ``day`` from ``start`` ends: an end at or before the start
    is on the next day, as an evening that runs past midnight is."""
    return day if end > start else day + datetime.timedelta(days=1)


def clinic_span(
    day: datetime.date,
    start: datetime.time,
    end: datetime.time,
    *,
    start_fold: int | None = None,
    end_fold: int | None = None,
) -> tuple[datetime.datetime, datetime.datetime]:
    """The start and end instants of a session held on local ``day`` from ``start`` to ``end``
    (wall-clock times, converted by ``clinic_datetime``): an end at or before the start is on
    the next local day. Whether that span is allowed is ``session_check``'s to say."""
    end_day = clinic_span_end_day(day, start, end)
    return (
        clinic_datetime(day, start, fold=start_fold),
        clinic_datetime(end_day, end, fold=end_fold),
    )


def clinic_today(now: datetime.datetime | None = None) -> datetime.date:
    """Today's date in the clinic's time zone: day-based rules use it, never the UTC date."""
    return timezone.localdate(now or timezone.now())


def local(moment: datetime.datetime) -> datetime.datetime:
    """``moment`` on the clinic's clock."""
    return timezone.localtime(moment)


def at_local(day: datetime.date, time: datetime.time) -> datetime.datetime:
    """The instant of local ``time`` on ``day`` (for times no clock change touches: messages'
    hours; a session's times go through ``clinic_datetime``)."""
    return timezone.make_aware(datetime.datetime.combine(day, time))


def local_day_at(
    moment: datetime.datetime, *, days_after: int, at: datetime.time
) -> datetime.datetime:
    """``days_after`` calendar days after ``moment`` in the clinic's zone, at local time ``at``."""
    day = local(moment).date() + datetime.timedelta(days=days_after)
    return at_local(day, at)
