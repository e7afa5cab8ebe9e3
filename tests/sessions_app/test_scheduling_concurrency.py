"""Two staff members booking the same room at the same moment: the lock lets only one through.

``select_for_update`` does nothing on SQLite, so this runs on PostgreSQL only.
"""

import datetime
import threading

import pytest
from django.db import connection

from journease.clinic_time import clinic_datetime
from sessions_app.models import GroupSession
from sessions_app.services import scheduling
from sessions_app.services.scheduling import SchedulingError, SessionDetails
from tests.factories import RoomFactory, SessionTypeFactory, StaffFactory


@pytest.mark.services("postgres")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("shared", ["room", "facilitator"])
def test_simultaneous_bookings_of_one_room_or_person_create_one_session(shared):
    session_type = SessionTypeFactory()
    therapist = StaffFactory()
    rooms = [RoomFactory(name="Cedar Room"), RoomFactory(name="Juniper Room")]
    day = datetime.date.today() + datetime.timedelta(days=30)
    attempts = 6
    barrier = threading.Barrier(attempts)
    outcomes: list[str] = []

    def book(index: int) -> None:
        room = rooms[0] if shared == "room" else rooms[index % 2]
        details = SessionDetails(
            session_type=session_type,
            title=f"Attempt {index}",
            starts_at=clinic_datetime(day, datetime.time(18, 0)),
            ends_at=clinic_datetime(day, datetime.time(19, 30)),
            room=room,
            capacity=8,
            facilitators=(therapist,) if shared == "facilitator" else (),
        )
        try:
            barrier.wait(timeout=10)
            scheduling.session_create(details=details)
            outcomes.append("created")
        except SchedulingError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=book, args=(i,)) for i in range(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(outcomes) == ["created"] + ["refused"] * (attempts - 1)
    assert GroupSession.objects.count() == 1
