"""The public pages and sign-in in a real browser: no CSP violation, usable on a phone."""

import pytest
from playwright.sync_api import Page, expect

from tests.factories import TEST_PASSWORD, GroupSessionFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_pages_load_with_no_console_error_or_csp_violation(
    live_server, page: Page, console_errors, roles
):
    GroupSessionFactory(title="Integration circle")
    for path in ["/", "/accounts/login/", "/accounts/signup/", "/sessions/"]:
        page.goto(live_server.url + path)
        expect(page.locator("main")).to_be_visible()
    expect(page.get_by_role("heading", name="Integration circle")).to_be_visible()
    assert console_errors == []


def test_participant_signs_in_through_the_form(live_server, page: Page, make_user):
    user = make_user(email="pat@example.org")
    page.goto(live_server.url + "/accounts/login/")
    page.get_by_label("E-mail address").fill("pat@example.org")
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=f"Sign out ({user.first_name})")).to_be_visible()


@pytest.mark.parametrize("path", ["/", "/sessions/", "/accounts/signup/"])
def test_pages_fit_a_phone_without_sideways_scrolling(live_server, page: Page, path, roles):
    GroupSessionFactory(title="A rather long session title that has to wrap on a phone")
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(live_server.url + path)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    # The menu collapses behind a button that opens it (Bootstrap's script runs under the CSP).
    page.get_by_role("button", name="Show the menu").click()
    expect(page.get_by_role("link", name="Sessions", exact=True)).to_be_visible()
