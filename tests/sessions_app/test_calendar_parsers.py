"""Every calendar the app serves reads the same in three independent parsers: icalendar, vobject
and Mozilla's ical.js (Thunderbird's, run with node from tests/js, installed by ``make js-tools``).

Each parser must give every event the session's own UTC start and end, and agree on its UID,
SEQUENCE and STATUS: a weekly series across both daylight-saving changes, seats in two calendar
years, a rescheduled session, a cancelled seat and a cancelled session, in the per-seat files and
in the private feed.
"""

import datetime
import json
import os
import shutil
import subprocess
from pathlib import Path

import icalendar
import pytest
import vobject
from django.urls import reverse

from sessions_app.calendars import calendar_feed_for, enrollment_ics
from sessions_app.models import Enrollment
from sessions_app.services import enrollment as enrollment_service
from sessions_app.services import scheduling
from sessions_app.services.scheduling_rules import SessionDetails
from tests.auth import sign_in
from tests.clock import local
from tests.factories import (
    EnrollmentFactory,
    GroupSessionFactory,
    ParticipantFactory,
    RoomFactory,
    SessionTypeFactory,
)

pytestmark = [pytest.mark.usefixtures("roles"), pytest.mark.clock("2027-01-10 10:00")]

JS_TOOLS = Path(__file__).resolve().parents[1] / "js"


@pytest.fixture(scope="module")
def node() -> str:
    """The node binary with ical.js installed; skipped without it, unless CI requires it."""
    binary = shutil.which("node")
    if binary is None:
        reason = "needs node for Mozilla's ical.js (install Node.js)"
    elif not (JS_TOOLS / "node_modules" / "ical.js").is_dir():
        reason = "needs ical.js in tests/js/node_modules (run `make js-tools`)"
    else:
        return binary
    if os.environ.get("JOURNEASE_REQUIRE_SERVICES") == "1":
        pytest.fail(f"JOURNEASE_REQUIRE_SERVICES=1 but this test {reason}", pytrace=False)
    pytest.skip(reason)


def _utc(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def read_with_icalendar(data: bytes) -> dict:
    return {
        str(event["UID"]): {
            "sequence": int(event["SEQUENCE"]),
            "status": str(event["STATUS"]),
            "start": _utc(event.decoded("DTSTART")),
            "end": _utc(event.decoded("DTEND")),
        }
        for event in icalendar.Calendar.from_ical(data).walk("VEVENT")
    }


def read_with_vobject(data: bytes) -> dict:
    calendar = vobject.readOne(data.decode())
    return {
        event.uid.value: {
            "sequence": int(event.sequence.value),
            "status": event.status.value,
            "start": _utc(event.dtstart.value),
            "end": _utc(event.dtend.value),
        }
        for event in calendar.vevent_list
    }


def read_with_ical_js(data: bytes, node: str) -> dict:
    done = subprocess.run(
        [node, str(JS_TOOLS / "ical_times.mjs")],
        input=data,
        capture_output=True,
        check=True,
        timeout=60,
    )
    return {
        event["uid"]: {
            "sequence": event["sequence"],
            "status": event["status"],
            "start": event["start"],
            "end": event["end"],
        }
        for event in json.loads(done.stdout)
    }


def expected(enrollments: list[Enrollment]) -> dict:
    """What the clinic holds: each seat's session in UTC, its SEQUENCE and STATUS."""
    return {
        f"enrollment-{seat.pk}@journease": {
            "start": _utc(seat.session.starts_at),
            "end": _utc(seat.session.ends_at),
        }
        for seat in enrollments
    }


def assert_three_parsers_agree(data: bytes, enrollments: list[Enrollment], node: str) -> dict:
    readings = {
        "icalendar": read_with_icalendar(data),
        "vobject": read_with_vobject(data),
        "ical.js": read_with_ical_js(data, node),
    }
    times = expected(enrollments)
    for parser, events in readings.items():
        got = {uid: {"start": e["start"], "end": e["end"]} for uid, e in events.items()}
        assert got == times, f"{parser} reads other times than the sessions'"
    assert readings["vobject"] == readings["icalendar"] == readings["ical.js"]
    return readings["icalendar"]


@pytest.fixture
def seats() -> dict[str, Enrollment]:
    """One participant's seats: a weekly series from February to November 2027 (both changes),
    seats in the summer and winter of 2028 (a second year), and one each to reschedule, give up
    and see cancelled."""
    participant = ParticipantFactory()
    circle = SessionTypeFactory(name="Integration circle", public_name="Group session")
    series = scheduling.session_series_create(
        details=SessionDetails(
            session_type=circle,
            title="Integration circle",
            starts_at=local(2027, 2, 23, 18),
            ends_at=local(2027, 2, 23, 19, 30),
            room=RoomFactory(capacity=10),
            capacity=8,
        ),
        weeks=40,
        publish=True,
    )
    assert series.skipped == [] and len(series.created) == 40
    seated = {
        f"series-{n}": EnrollmentFactory(participant=participant, session=session)
        for n, session in enumerate(series.created)
    }

    def seat(start: datetime.datetime) -> Enrollment:
        session = GroupSessionFactory(
            session_type=circle, starts_at=start, ends_at=start + datetime.timedelta(minutes=90)
        )
        return EnrollmentFactory(participant=participant, session=session)

    seated["summer-2028"] = seat(local(2028, 7, 11, 9))
    seated["winter-2028"] = seat(local(2028, 1, 18, 17, 30))
    seated["rescheduled"] = seat(local(2027, 3, 10, 8))
    seated["seat-cancelled"] = seat(local(2027, 6, 1, 12))
    seated["session-cancelled"] = seat(local(2027, 10, 5, 18))

    moved = seated["rescheduled"].session
    scheduling.session_reschedule(
        session=moved,
        starts_at=local(2027, 3, 17, 8),  # across the spring-forward change
        ends_at=local(2027, 3, 17, 9, 30),
    )
    enrollment_service.enrollment_cancel(enrollment=seated["seat-cancelled"], by=participant)
    scheduling.session_cancel(session=seated["session-cancelled"].session, reason="Room flooded")
    for enrollment in seated.values():
        enrollment.refresh_from_db()
        enrollment.session.refresh_from_db()
    return seated


def test_feed_reads_the_same_in_icalendar_vobject_and_ical_js(seats, node, client):
    feed = calendar_feed_for(participant=seats["summer-2028"].participant)
    response = client.get(reverse("sessions_app:calendar_feed", args=[feed.token]))
    assert response.status_code == 200
    events = assert_three_parsers_agree(response.content, list(seats.values()), node)
    uid = {name: f"enrollment-{seat.pk}@journease" for name, seat in seats.items()}
    assert events[uid["series-0"]]["start"] == "2027-02-24T01:00:00Z"  # 18:00 MST
    assert events[uid["series-5"]]["start"] == "2027-03-31T00:00:00Z"  # 18:00 MDT
    assert events[uid["series-39"]]["start"] == "2027-11-24T01:00:00Z"  # 18:00 MST again
    assert events[uid["summer-2028"]]["start"] == "2028-07-11T15:00:00Z"  # 9:00 MDT, a year on
    assert events[uid["rescheduled"]]["sequence"] == 1
    assert events[uid["seat-cancelled"]]["status"] == "CANCELLED"
    assert events[uid["session-cancelled"]]["status"] == "CANCELLED"


@pytest.mark.parametrize(
    "name", ["series-0", "series-5", "summer-2028", "rescheduled", "seat-cancelled"]
)
def test_each_seat_file_reads_the_same_in_three_parsers(seats, node, name):
    seat = seats[name]
    assert_three_parsers_agree(enrollment_ics(enrollment=seat), [seat], node)


def test_session_cancelled_seat_file_reads_the_same_in_three_parsers(seats, node):
    seat = seats["session-cancelled"]
    response = sign_in(seat.participant).get(reverse("sessions_app:enrollment_ics", args=[seat.pk]))
    assert response.status_code == 200
    (event,) = assert_three_parsers_agree(response.content, [seat], node).values()
    assert event["status"] == "CANCELLED"
