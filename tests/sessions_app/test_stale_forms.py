"""A form posted from a page that is no longer true (an old tab, a roster someone else changed)
is refused with its reason on the page, never a page that hides why nothing happened.

Both were found by the storm (``test_storm.py``): the refusal was right, the page did not say it.
"""

import html

import pytest
from django.urls import reverse

from participants.models import Role
from sessions_app.models import Enrollment, EnrollmentStatus
from sessions_app.services import enrollment as enrollment_service
from tests.auth import sign_in
from tests.factories import (
    EligibleParticipantFactory,
    GroupSessionFactory,
    SessionTypeFactory,
    StaffFactory,
)

pytestmark = pytest.mark.usefixtures("roles")


def url(name, *args):
    return reverse(f"sessions_app:{name}", args=args)


def test_enrolling_again_in_a_full_session_says_you_already_have_a_seat():
    person = EligibleParticipantFactory()
    session = GroupSessionFactory(session_type=SessionTypeFactory(), capacity=1)
    enrollment_service.enrollment_create(participant=person, session=session)

    response = sign_in(person).post(url("session_enroll", session.pk))  # an old tab's form

    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "You already have a seat in this session." in page
    assert "Join the waitlist" not in page
    assert Enrollment.objects.filter(participant=person, session=session).count() == 1


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("staff_enrollment_cancel", {"cancel-reason": "Ill"}),
        ("staff_enrollment_move", {"move-reason": "Work shift"}),
    ],
)
def test_a_stale_roster_form_on_a_roster_with_no_seats_left_shows_its_error(
    staff_client, action, data
):
    client = staff_client(Role.COORDINATOR)
    session_type = SessionTypeFactory()
    session = GroupSessionFactory(session_type=session_type)
    later = GroupSessionFactory(session_type=session_type, starts_at=session.ends_at)
    seat = enrollment_service.enrollment_create(
        participant=EligibleParticipantFactory(), session=session
    )
    # Someone else cancelled the only seat after this coordinator opened the roster.
    enrollment_service.enrollment_cancel(enrollment=seat, by=StaffFactory(), reason="Called in")
    prefix = action.removeprefix("staff_enrollment_")
    data = {**data, f"{prefix}-enrollment": seat.pk}
    if prefix == "move":
        data["move-to_session"] = later.pk

    response = client.post(url(action, session.pk), data)

    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "Select a valid choice" in page
    seat.refresh_from_db()
    assert seat.status == EnrollmentStatus.CANCELLED
    assert not Enrollment.objects.filter(session=later).exists()
