"""The suite's own clock: every test starts at a stated instant (tests/clock.py)."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from participants.services.consent import consent_document_current
from tests import clock


def test_a_test_without_a_marker_starts_at_the_runs_instant(stated_clock):
    # The traveller itself, not only the time read: early in a run the wall clock is close too.
    assert isinstance(stated_clock, time_machine.Traveller)
    elapsed = timezone.now() - clock.run_instant()
    assert datetime.timedelta(0) <= elapsed < datetime.timedelta(seconds=30)


@pytest.mark.clock("2027-03-14 03:30")
def test_a_marker_states_the_instant_in_clinic_time_and_the_clock_ticks_on():
    start = timezone.now()
    assert timezone.localtime(start).strftime("%Y-%m-%d %H:%M %Z") == "2027-03-14 03:30 MDT"
    assert start < clock.local(2027, 3, 14, 3, 31)


@pytest.mark.django_db
@pytest.mark.clock("2000-01-02 10:00")
def test_what_migrate_seeds_predates_every_stated_instant():
    # The first consent document comes from a data migration, run when the database is made.
    current = consent_document_current()
    assert current is not None
    assert clock.SETUP_INSTANT <= current.published_at < timezone.now()


@pytest.mark.parametrize(
    ("text", "problem"),
    [("2027-03-14 02:30", "does not exist"), ("2027-11-07 01:30", "happens twice")],
)
def test_a_local_time_that_is_not_one_instant_is_refused(text, problem):
    with pytest.raises(ValueError, match=problem):
        clock.parse_instant(text)


def test_an_offset_or_z_names_the_instant_itself():
    assert clock.parse_instant("2027-11-07T08:30:00Z") == datetime.datetime(
        2027, 11, 7, 8, 30, tzinfo=datetime.UTC
    )
    assert clock.parse_instant("2027-11-07 01:30-07:00").utcoffset() == datetime.timedelta(hours=-7)
