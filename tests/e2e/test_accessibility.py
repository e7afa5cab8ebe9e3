"""axe-core on the main pages, signed in as each role: no serious or critical violation."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from participants.instruments import SECTIONS
from participants.models import Role
from tests.factories import (
    CheckInFactory,
    EnrollmentFactory,
    ParticipantFactory,
    SafetyAlertFactory,
    ScreeningFactory,
    StaffFactory,
    SubmittedScreeningFactory,
    WaitlistEntryFactory,
)
from tests.followup.test_cohort_outcomes import make_cohort as past_cohort

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("screening_defaults"),
]

AXE = Axe()


def serious_violations(page) -> list[str]:
    results = AXE.run(page)
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} — "
        + "; ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results.response["violations"]
        if violation["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def records():
    participant = ParticipantFactory()
    screening = SubmittedScreeningFactory(participant=participant)
    alert = SafetyAlertFactory(participant=participant)
    enrollment = EnrollmentFactory(participant=participant)
    WaitlistEntryFactory(participant=participant, offered=True)
    checkin = CheckInFactory(participant=participant, enrollment__participant=participant)
    draft = ScreeningFactory(participant=ParticipantFactory(), answers={})
    cohort, _sessions = past_cohort()
    return {
        "cohort": cohort,
        "participant": participant,
        "screening": screening,
        "alert": alert,
        "session": enrollment.session,
        "checkin": checkin,
        "attended": checkin.enrollment.session,
        "draft": draft,
    }


def pages_for(role: str, records) -> list[str]:
    session, screening, alert = records["session"], records["screening"], records["alert"]
    staff = [
        "/staff/",
        "/staff/?view=month",
        "/staff/sessions/",
        "/staff/sessions/new/",
        f"/staff/sessions/{session.pk}/",
        f"/staff/sessions/{records['attended'].pk}/",
        f"/staff/sessions/{session.pk}/edit/",
        f"/staff/sessions/{session.pk}/cancel/",
        "/staff/sessions/series/",
        "/staff/screenings/",
        "/staff/cohorts/",
        "/staff/cohorts/new/",
        f"/staff/cohorts/{records['cohort'].pk}/",
        f"/staff/cohorts/{records['cohort'].pk}/size/",
    ]
    return {
        "anonymous": ["/", "/sessions/", "/programs/", "/accounts/login/", "/accounts/signup/"],
        Role.PARTICIPANT: [
            "/me/",
            "/me/sessions/",
            f"/sessions/{session.pk}/",
            "/me/progress/",
            "/accounts/profile/",
            "/me/consent/",
            "/me/data/",
            "/sessions/",
            f"/me/check-ins/{records['checkin'].public_id}/",
            "/programs/",
            f"/programs/{records['cohort'].pk}/",
        ],
        "screening": [
            f"/me/screening/{records['draft'].public_id}/",
            *(
                f"/me/screening/{records['draft'].public_id}/section/{section.slug}/"
                for section in SECTIONS
            ),
        ],
        Role.COORDINATOR: staff,
        Role.CLINICIAN: [
            *staff,
            f"/staff/screenings/{screening.public_id}/",
            "/staff/alerts/",
            f"/staff/alerts/{alert.public_id}/",
            f"/staff/participants/{records['participant'].pk}/timeline/",
            "/staff/outcomes/",
            f"/staff/cohorts/{records['cohort'].pk}/outcomes/",
        ],
        Role.ADMIN: ["/staff/team/", "/staff/flag-rules/", "/staff/outcomes/"],
    }[role]


@pytest.mark.parametrize(
    "role",
    ["anonymous", Role.PARTICIPANT, "screening", Role.COORDINATOR, Role.CLINICIAN, Role.ADMIN],
)
def test_main_pages_have_no_serious_accessibility_violation(
    live_server, signed_in_page, records, role
):
    if role == "anonymous":
        user = None
    elif role == Role.PARTICIPANT:
        user = records["participant"]
    elif role == "screening":  # a participant in the middle of their screening
        user = records["draft"].participant
    else:
        user = StaffFactory(role=role)
    page = signed_in_page(user, bypass_csp=True)
    found = {}
    for path in pages_for(role, records):
        response = page.goto(live_server.url + path)
        assert response.status == 200, path
        problems = serious_violations(page)
        if problems:
            found[path] = problems
    assert not found, found
