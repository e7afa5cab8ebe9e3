"""The clock every test starts from.

Each test starts at a stated instant, never at "the wall clock, whatever it says": the instant of
its ``clock`` marker when it has one, otherwise the instant of the run. The run's instant is taken
once, when pytest starts (or given with ``--clock`` / ``JOURNEASE_TEST_CLOCK``), printed in the
report header, and shared by every xdist worker, so a failure is replayed exactly with
``pytest --clock=<the printed instant>``. time_machine ticks from there (``tick=True``), so a test
still sees time pass.

A test that depends on the day or the hour (a week view, quiet hours, a daylight-saving change)
states its instant with the marker, in the clinic's local time unless an offset is given::

    @pytest.mark.clock("2026-12-01 10:00")          # a Tuesday morning in the clinic
    @pytest.mark.clock("2027-03-14T09:30:00+00:00")  # the hour after the spring-forward jump

Everything else must pass at whatever instant the run starts: CI runs the suite at moved clocks
(``.ci/run``) to prove it. Browser tests are left on the real clock: Chromium reads its own.
"""

import datetime
import os
import zoneinfo

from django.conf import settings

ENV = "JOURNEASE_TEST_CLOCK"
# The test database is made at this instant, so what migrate seeds predates every test's clock.
SETUP_INSTANT = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


def parse_instant(text: str) -> datetime.datetime:
    """An aware instant from ISO 8601 text; without an offset, it is the clinic's local time.

    A local time that does not exist (in the spring-forward gap) or happens twice is refused:
    a stated clock must say one instant.
    """
    moment = datetime.datetime.fromisoformat(text.strip())
    if moment.tzinfo is not None:
        return moment
    zone = zoneinfo.ZoneInfo(settings.CLINIC_TIME_ZONE)
    first, second = moment.replace(tzinfo=zone, fold=0), moment.replace(tzinfo=zone, fold=1)
    if first.utcoffset() != second.utcoffset():
        exists = first.astimezone(datetime.UTC).astimezone(zone).replace(tzinfo=None) == moment
        what = "happens twice" if exists else "does not exist"
        raise ValueError(f"{text!r} {what} in {zone.key}: give the UTC offset")
    return first


def run_instant() -> datetime.datetime:
    """The instant this run's tests start at (set once per run by ``tests/conftest.py``)."""
    return parse_instant(os.environ[ENV])


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime.datetime:
    """An aware datetime at a wall-clock time in the clinic's zone."""
    return parse_instant(datetime.datetime(year, month, day, hour, minute).isoformat())
