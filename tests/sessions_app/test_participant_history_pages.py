"""My sessions and My program for a participant with a year of history: a bounded number of
queries however long the history, upcoming seats first, past seats a page at a time (newest
first), and only the most recent open check-ins on My program (the rest on My progress)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from followup.contributions import OPEN_CHECKINS_SHOWN
from followup.models import CheckIn
from sessions_app.models import Enrollment, EnrollmentStatus, SessionStatus
from sessions_app.selectors import PAST_PAGE_SIZE
from tests.auth import sign_in
from tests.factories import (
    ApprovedScreeningFactory,
    CheckInFactory,
    ConsentSignatureFactory,
    DosingSessionTypeFactory,
    EnrollmentFactory,
    GroupSessionFactory,
    ParticipantFactory,
    SessionTypeFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.clock("2027-03-10 10:00")]

MY_SESSIONS = reverse("sessions_app:my_sessions")
MY_PROGRAM = reverse("participants:me")


def history(person, *, weeks: int) -> list:
    """A seat a week for ``weeks`` weeks back (a dosing session every fourth, with an open week
    check-in), attended; then two seats ahead. Returns the past seats, oldest first."""
    circle, dosing = SessionTypeFactory(), DosingSessionTypeFactory()
    now = timezone.now()
    past = []
    for week in range(weeks, 0, -1):
        starts_at = now - datetime.timedelta(weeks=week)
        session = GroupSessionFactory(
            title=f"Week {weeks - week + 1:03d}",
            session_type=dosing if week % 4 == 0 else circle,
            starts_at=starts_at,
            status=SessionStatus.COMPLETED,
        )
        seat = EnrollmentFactory(
            participant=person, session=session, status=EnrollmentStatus.ATTENDED
        )
        if week % 4 == 0:
            CheckInFactory(
                enrollment=seat,
                participant=person,
                opens_at=session.ends_at + datetime.timedelta(days=7),
            )
        past.append(seat)
    for days in (2, 9):
        EnrollmentFactory(
            participant=person,
            session=GroupSessionFactory(
                title=f"Ahead in {days} days", starts_at=now + datetime.timedelta(days=days)
            ),
        )
    return past


@pytest.fixture
def participant(roles):
    person = ParticipantFactory()
    ApprovedScreeningFactory(participant=person)
    ConsentSignatureFactory(participant=person)
    return person


def queries_for(client, url, django_assert_max_num_queries, budget):
    client.get(url)  # a first request may save the session's idle timer
    with django_assert_max_num_queries(budget) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), response.content.decode()


@pytest.mark.parametrize("url", [MY_SESSIONS, MY_PROGRAM])
def test_a_years_history_costs_no_more_queries_than_a_months(
    participant, url, django_assert_max_num_queries
):
    client = sign_in(participant)
    history(participant, weeks=4)
    month, _page = queries_for(client, url, django_assert_max_num_queries, 16)
    history(participant, weeks=52)
    year, _page = queries_for(client, url, django_assert_max_num_queries, 16)
    assert year == month


def test_my_sessions_shows_upcoming_first_and_one_page_of_the_latest_past_seats(
    participant, django_assert_max_num_queries
):
    past = history(participant, weeks=52)
    _count, page = queries_for(sign_in(participant), MY_SESSIONS, django_assert_max_num_queries, 16)

    past_title = page.index('id="past-title"')
    assert page.index("Ahead in 2 days") < page.index("Ahead in 9 days") < past_title
    newest = [seat.session.title for seat in past[::-1][:PAST_PAGE_SIZE]]
    shown = [title for title in (seat.session.title for seat in past) if title in page]
    assert shown == newest[::-1]
    assert "?past=2" in page and "?past=0" not in page


def test_my_sessions_pages_back_through_the_past(participant, django_assert_max_num_queries):
    past = history(participant, weeks=52)
    client = sign_in(participant)

    _count, page = queries_for(client, f"{MY_SESSIONS}?past=6", django_assert_max_num_queries, 16)

    oldest = [seat.session.title for seat in past[: 52 - 5 * PAST_PAGE_SIZE]]
    assert all(title in page for title in oldest)
    assert past[-1].session.title not in page
    assert "?past=5" in page and "?past=7" not in page
    assert "Ahead in 2 days" in page  # upcoming seats stay on every page


def test_my_program_lists_the_latest_open_checkins_and_links_to_the_rest(
    participant, django_assert_max_num_queries
):
    history(participant, weeks=52)  # thirteen dosing sessions, each with a check-in still open
    _count, page = queries_for(sign_in(participant), MY_PROGRAM, django_assert_max_num_queries, 16)

    waiting = page[page.index('id="checkins-title"') :]
    newest_first = CheckIn.objects.filter(participant=participant).order_by("-opens_at")
    links = [reverse("followup:checkin", args=[c.public_id]) for c in newest_first]
    assert [link in waiting for link in links] == [True] * OPEN_CHECKINS_SHOWN + [False] * (
        len(links) - OPEN_CHECKINS_SHOWN
    )
    assert waiting.index(links[1]) < waiting.index(links[0])  # shown oldest first
    assert f'<p class="mt-2 mb-0"><a href="{reverse("followup:progress")}">' in waiting


def test_my_program_has_no_link_to_more_when_all_open_checkins_are_shown(participant):
    history(participant, weeks=8)  # two open check-ins
    page = sign_in(participant).get(MY_PROGRAM).content.decode()

    waiting = page[page.index('id="checkins-title"') :]
    assert waiting.count("/me/check-ins/") == 2
    assert f'<p class="mt-2 mb-0"><a href="{reverse("followup:progress")}">' not in waiting


@pytest.mark.parametrize(
    "page", ["99999999999999999999999", "9223372036854775807", "-3", "0", "1e3", "²", " 2 x"]
)
def test_a_page_number_from_outside_is_the_first_page_or_an_empty_one_never_an_error(
    participant, page
):
    history(participant, weeks=12)
    response = sign_in(participant).get(MY_SESSIONS, {"past": page})
    assert response.status_code == 200
    assert response.context["past_page"] >= 1
    assert "Ahead in 2 days" in response.content.decode()


def test_each_page_of_past_seats_is_the_next_ten_newest_first_ties_by_newest_seat(participant):
    past = history(participant, weeks=25)
    # Two seats in sessions starting at the same time: the later seat is the newer.
    starts_at = past[-1].session.starts_at - datetime.timedelta(days=1)
    for title in ("Tie A", "Tie B"):
        EnrollmentFactory(
            participant=participant,
            session=GroupSessionFactory(title=title, starts_at=starts_at),
            status=EnrollmentStatus.ATTENDED,
        )
    newest_first = (
        Enrollment.objects.filter(participant=participant, session__ends_at__lte=timezone.now())
        .order_by("-session__starts_at", "-pk")
        .values_list("session__title", flat=True)
    )
    assert list(newest_first)[1:3] == ["Tie B", "Tie A"]
    client = sign_in(participant)
    for number in (1, 2, 3, 4):
        response = client.get(MY_SESSIONS, {"past": number})
        start = (number - 1) * PAST_PAGE_SIZE
        expected = list(newest_first[start : start + PAST_PAGE_SIZE])
        assert [seat.session.title for seat in response.context["past"]] == expected
        assert response.context["past_older"] == (number < 3)  # 27 seats: three pages
    assert expected == []
