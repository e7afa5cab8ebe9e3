"""Every participant page at 375 px wide (a small phone): nothing scrolls sideways."""

import pytest

from participants.models import Role
from tests.factories import (
    CheckInFactory,
    DosingWithRulesSessionTypeFactory,
    EligibleParticipantFactory,
    EnrollmentFactory,
    GroupSessionFactory,
    ParticipantFactory,
    ScreeningFactory,
    StaffFactory,
    WaitlistEntryFactory,
)
from tests.followup.test_cohort_outcomes import make_cohort as past_cohort

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("screening_defaults"),
]

PHONE = 375
LONG_TITLE = "An evening integration circle with a rather long title that has to wrap"


def sideways(page, base_url: str, paths: list[str]) -> dict[str, int]:
    """The pages wider than the phone, with their width."""
    wide = {}
    for path in paths:
        response = page.goto(base_url + path)
        assert response.status == 200, path
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > PHONE:
            wide[path] = width
    return wide


def test_enrolled_participant_pages_fit_a_phone(live_server, signed_in_page):
    person = EligibleParticipantFactory(email="a.rather.long.address.for.a.phone@example.org")
    dosing = GroupSessionFactory(
        session_type=DosingWithRulesSessionTypeFactory(),
        title=LONG_TITLE,
        medical_monitor=StaffFactory(role=Role.CLINICIAN, permissions=["monitor_dosing"]),
    )
    EnrollmentFactory(participant=person, session=GroupSessionFactory(title=LONG_TITLE))
    WaitlistEntryFactory(participant=person, offered=True, session=GroupSessionFactory())
    WaitlistEntryFactory(participant=person, session=GroupSessionFactory(capacity=1))
    checkin = CheckInFactory(participant=person, enrollment__participant=person)
    cohort, _sessions = past_cohort(title=LONG_TITLE)
    page = signed_in_page(person, width=PHONE)
    paths = [
        "/",
        "/me/",
        "/sessions/",
        f"/sessions/{dosing.pk}/",
        "/me/sessions/",
        f"/me/check-ins/{checkin.public_id}/",
        "/me/progress/",
        "/me/consent/",
        "/me/data/",
        "/me/data/document/",
        "/accounts/profile/",
        "/accounts/password/",
        "/programs/",
        f"/programs/{cohort.pk}/",
    ]
    assert sideways(page, live_server.url, paths) == {}


def test_screening_pages_fit_a_phone(live_server, signed_in_page):
    from participants.instruments import SECTIONS

    person = ParticipantFactory()
    screening = ScreeningFactory(participant=person, answers={})
    page = signed_in_page(person, width=PHONE)
    paths = [
        "/me/",
        f"/me/screening/{screening.public_id}/",
        *(f"/me/screening/{screening.public_id}/section/{s.slug}/" for s in SECTIONS),
    ]
    assert sideways(page, live_server.url, paths) == {}


def test_public_and_account_pages_fit_a_phone(live_server, signed_in_page, roles):
    GroupSessionFactory(title=LONG_TITLE)
    page = signed_in_page(None, width=PHONE)
    paths = [
        "/",
        "/sessions/",
        "/accounts/login/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/accounts/verify/resend/",
    ]
    assert sideways(page, live_server.url, paths) == {}
