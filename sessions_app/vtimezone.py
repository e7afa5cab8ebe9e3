"""The clinic zone's VTIMEZONE as every calendar client reads it: yearly RRULEs.

icalendar's ``add_missing_timezones`` lists a zone's changes as dates on one comma-separated
RDATE line; RFC 5545 allows that, but Mozilla's ical.js (Thunderbird) and vobject read only the
first date, and so show summer sessions an hour off in every later year. No library in use
writes rules that match ``zoneinfo`` (vobject's probe puts the changes at 03:00), so the rule is
read here from the zone's own data: the POSIX TZ string at the end of its TZif file ("MST7MDT,
M3.2.0,M11.1.0" for America/Denver), which states the rules in force now. The rules are checked
against ``zoneinfo`` for every year the calendar spans; when they do not hold there (a zone
whose rules changed within the span, or one without a readable rule), the changes are written
as dates, one RDATE per line, which every client reads too.
"""

import contextlib
import datetime
import importlib.resources
import os
import re
import zoneinfo

from icalendar import Calendar, Timezone, TimezoneDaylight, TimezoneStandard

# std offset [dst [offset] ,Mm.w.d[/time],Mm.w.d[/time]]; offsets west of Greenwich are positive.
_NAME = r"(?:<[^>]+>|[A-Za-z]{3,})"
_OFFSET = r"[+-]?\d{1,2}(?::\d{2}){0,2}"
_WHEN = r"M(\d{1,2})\.([1-5])\.([0-6])(?:/(" + _OFFSET + r"))?"
_POSIX_TZ = re.compile(
    rf"^({_NAME})({_OFFSET})(?:({_NAME})({_OFFSET})?,{_WHEN},{_WHEN})?$",
)
_WEEKDAYS = ("SU", "MO", "TU", "WE", "TH", "FR", "SA")


def _seconds(text: str) -> int:
    sign = -1 if text.startswith("-") else 1
    parts = [int(part) for part in text.lstrip("+-").split(":")] + [0, 0]
    return sign * (parts[0] * 3600 + parts[1] * 60 + parts[2])


def _tzif_footer(key: str) -> str | None:
    """The POSIX TZ string of the zone's TZif file, found where ``zoneinfo`` looks."""
    candidates = [os.path.join(root, key) for root in zoneinfo.TZPATH]
    with contextlib.suppress(ModuleNotFoundError):  # tzdata is zoneinfo's fallback, if installed
        candidates.append(importlib.resources.files("tzdata.zoneinfo").joinpath(key))
    for candidate in candidates:
        try:
            with open(candidate, "rb") as tzif:
                data = tzif.read()
        except OSError:
            continue
        if data.startswith(b"TZif") and data.endswith(b"\n"):
            return data.rstrip(b"\n").rsplit(b"\n", 1)[-1].decode("ascii", "replace")
    return None


def _nth_weekday(year: int, month: int, week: int, weekday: int) -> datetime.date:
    """POSIX ``Mm.w.d``: the w-th (5 = last) weekday d (0 = Sunday) of month m."""
    first = datetime.date(year, month, 1)
    day = first + datetime.timedelta(days=(weekday - (first.isoweekday() % 7)) % 7)
    day += datetime.timedelta(weeks=week - 1)
    while day.month != month:
        day -= datetime.timedelta(weeks=1)
    return day


class _Change:
    """One yearly change of offset: on the w-th weekday of a month, at a local time."""

    def __init__(self, month, week, weekday, at, name, offset_from, offset_to):
        self.month, self.week, self.weekday = int(month), int(week), int(weekday)
        self.at = _seconds(at) if at else 7200
        self.name, self.offset_from, self.offset_to = name.strip("<>"), offset_from, offset_to

    def local(self, year: int) -> datetime.datetime:
        day = _nth_weekday(year, self.month, self.week, self.weekday)
        return datetime.datetime.combine(day, datetime.time()) + datetime.timedelta(seconds=self.at)

    def instant(self, year: int) -> datetime.datetime:
        """The UTC instant of the change (its local time is on the clock before it)."""
        return (self.local(year) - self.offset_from).replace(tzinfo=datetime.UTC)

    def holds(self, zone: zoneinfo.ZoneInfo, year: int) -> bool:
        instant = self.instant(year)
        before = (instant - datetime.timedelta(seconds=1)).astimezone(zone).utcoffset()
        return before == self.offset_from and instant.astimezone(zone).utcoffset() == self.offset_to

    def component(self, kind, year: int):
        part = kind()
        part.add("tzname", self.name)
        part.add("dtstart", self.local(year))
        part.add("tzoffsetfrom", self.offset_from)
        part.add("tzoffsetto", self.offset_to)
        week = -1 if self.week == 5 else self.week
        part.add(
            "rrule",
            {"freq": "yearly", "bymonth": self.month, "byday": f"{week}{_WEEKDAYS[self.weekday]}"},
        )
        return part


def _yearly_changes(key: str) -> tuple[_Change, _Change] | None:
    """The zone's current daylight-saving rules, or None for a zone without them."""
    footer = _tzif_footer(key)
    match = _POSIX_TZ.match(footer or "")
    if not match or not match.group(3):
        return None
    std_name, std, dst_name, dst, m1, w1, d1, t1, m2, w2, d2, t2 = match.groups()
    standard = datetime.timedelta(seconds=-_seconds(std))
    daylight = (
        datetime.timedelta(seconds=-_seconds(dst))
        if dst
        else standard + datetime.timedelta(hours=1)
    )
    if not all(0 <= _seconds(at) < 86400 for at in (t1, t2) if at):
        return None  # a change after midnight of the next day: no RRULE says that simply
    return (
        _Change(m1, w1, d1, t1, dst_name, standard, daylight),
        _Change(m2, w2, d2, t2, std_name, daylight, standard),
    )


def _rule_based(key: str, first_year: int, last_year: int) -> Timezone | None:
    zone = zoneinfo.ZoneInfo(key)
    changes = _yearly_changes(key)
    if changes is None:
        return None
    to_daylight, to_standard = changes
    years = range(first_year, last_year + 1)
    if not all(change.holds(zone, year) for change in changes for year in years):
        return None
    timezone = Timezone()
    timezone.add("tzid", key)
    timezone.add_component(to_daylight.component(TimezoneDaylight, first_year))
    timezone.add_component(to_standard.component(TimezoneStandard, first_year))
    return timezone


def _one_rdate_per_line(key: str, first_year: int, last_year: int) -> Timezone:
    """icalendar's dated VTIMEZONE with each RDATE on a line of its own."""
    timezone = Timezone.from_tzid(
        key,
        first_date=datetime.date(first_year, 1, 1),
        last_date=datetime.date(last_year + 1, 1, 1),
    )
    for part in timezone.subcomponents:
        listed = part.pop("RDATE", None)
        if listed is None:
            continue
        for rdates in listed if isinstance(listed, list) else [listed]:
            for rdate in rdates.dts:
                part.add("rdate", rdate.dt)
    return timezone


def vtimezone(*, key: str, first_year: int, last_year: int) -> Timezone:
    """The zone's VTIMEZONE, exact for every instant from ``first_year`` to ``last_year``."""
    return _rule_based(key, first_year, last_year) or _one_rdate_per_line(
        key, first_year, last_year
    )


def calendar_add_timezone(calendar: Calendar, *, key: str, first_year: int, last_year: int):
    """Put the zone's VTIMEZONE first in the calendar, as clients expect it before the events."""
    calendar.subcomponents.insert(0, vtimezone(key=key, first_year=first_year, last_year=last_year))
