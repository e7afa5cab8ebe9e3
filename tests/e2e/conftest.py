"""Browser tests: Playwright driving Debian's Chromium against Django's live server."""

import os
import shutil

import pytest

# Playwright's sync API runs an event loop; fixtures still touch the database synchronously.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def pytest_collection_modifyitems(config, items) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
    # Screenshots rewrite files in docs/: only `make screenshots` (-m screenshots) takes them.
    if "screenshots" not in (config.getoption("markexpr") or ""):
        shots = [item for item in items if item.get_closest_marker("screenshots")]
        if shots:
            config.hook.pytest_deselected(items=shots)
            items[:] = [item for item in items if not item.get_closest_marker("screenshots")]


@pytest.fixture(autouse=True)
def _needs_chromium():
    if CHROMIUM:
        return
    reason = "needs Debian's chromium (apt-get install chromium)"
    if os.environ.get("JOURNEASE_REQUIRE_SERVICES") == "1":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def console_errors(page):
    """Console errors (a Content-Security-Policy violation is one) seen during the test."""
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


@pytest.fixture
def signed_in_page(live_server, browser):
    """Open a browser page already signed in as ``user`` (staff past their second factor).

    For page checks; the browser journeys sign in through the forms as a person would. The
    context bypasses the Content-Security-Policy only so that axe-core can be injected.
    """
    from django.conf import settings

    from tests.auth import sign_in

    contexts = []

    def open_page(user, *, width: int = 1280, bypass_csp: bool = False):
        context = browser.new_context(
            viewport={"width": width, "height": 900}, bypass_csp=bypass_csp
        )
        contexts.append(context)
        if user is not None:
            client = sign_in(user)
            context.add_cookies(
                [
                    {
                        "name": settings.SESSION_COOKIE_NAME,
                        "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                        "url": live_server.url,
                    }
                ]
            )
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
