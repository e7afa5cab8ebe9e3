"""Enrolling with the keyboard alone: Tab to move, Enter to follow and submit, Space to tick."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from sessions_app.models import Enrollment, EnrollmentStatus, SessionStatus
from tests.factories import (
    TEST_PASSWORD,
    DosingWithRulesSessionTypeFactory,
    EligibleParticipantFactory,
    EnrollmentFactory,
    GroupSessionFactory,
    PreparationSessionTypeFactory,
    StaffFactory,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("screening_defaults"),
]


def is_focused(locator: Locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


FOCUS_SHOWN = """element => {
    const style = getComputedStyle(element);
    return (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
        || style.boxShadow !== "none";
}"""


def tab_to(page: Page, locator: Locator, *, limit: int = 80) -> None:
    """Press Tab until ``locator`` has the focus, as a keyboard user moves through the page."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if is_focused(locator):
            assert locator.evaluate(FOCUS_SHOWN), f"no visible focus on {locator}"
            return
    raise AssertionError(f"Tab never reached {locator}")


def test_enrollment_can_be_completed_with_the_keyboard_only(live_server, page: Page):
    person = EligibleParticipantFactory(email="keys@example.org")
    EnrollmentFactory(
        participant=person,
        status=EnrollmentStatus.ATTENDED,
        session=GroupSessionFactory(
            session_type=PreparationSessionTypeFactory(),
            starts_at=timezone.now() - datetime.timedelta(days=7),
            status=SessionStatus.COMPLETED,
        ),
    )
    session = GroupSessionFactory(
        session_type=DosingWithRulesSessionTypeFactory(),
        title="Keyboard group",
        medical_monitor=StaffFactory(permissions=["monitor_dosing"]),
    )

    # Sign in: type, Tab between the fields, Enter to submit.
    page.goto(live_server.url + "/accounts/login/?next=/sessions/")
    tab_to(page, page.get_by_label("E-mail address"))
    page.keyboard.type(person.email)
    page.keyboard.press("Tab")
    page.keyboard.type(TEST_PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Keyboard group")).to_be_visible()

    # Open the session from the list.
    tab_to(page, page.get_by_role("link", name="Keyboard group", exact=True))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="How to prepare")).to_be_visible()

    # The ride home, the instructions read (Space ticks the box), then Enter on the button.
    tab_to(page, page.get_by_label("Who drives you home?"))
    page.keyboard.type("Ada Driver")
    tab_to(page, page.get_by_label("Their phone number"))
    page.keyboard.type("(801) 555-0123")
    tick = page.get_by_label("I have read the preparation instructions and will follow them.")
    tab_to(page, tick)
    page.keyboard.press("Space")
    expect(tick).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Enroll"))
    page.keyboard.press("Enter")

    expect(page.locator("main")).to_contain_text("enrolled")
    enrollment = Enrollment.objects.get(participant=person, session=session)
    assert enrollment.status == EnrollmentStatus.ENROLLED
    assert enrollment.ride_home_name == "Ada Driver"
