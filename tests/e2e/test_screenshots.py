"""Screenshots of the main pages for the README, on the demo data: `make screenshots`.

Marked ``screenshots``: the normal run deselects it (tests/e2e/conftest.py); `make screenshots`
selects it and rewrites docs/screenshots/.
"""

from pathlib import Path

import pytest

from demo.sessions import seed_demo
from participants.models import SafetyAlert, Screening, User
from sessions_app.models import GroupSession, SessionKind, SessionStatus

pytestmark = [
    pytest.mark.screenshots,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("screening_defaults"),
]

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DESKTOP, PHONE = 1280, 375


def shoot(page, base_url: str, pages: dict[str, str], *, suffix: str) -> None:
    for name, path in pages.items():
        response = page.goto(base_url + path)
        assert response.status == 200, path
        page.screenshot(path=SHOTS / f"{name}-{suffix}.png", full_page=True)


def test_screenshots_of_the_main_pages(live_server, signed_in_page):
    seed_demo()
    SHOTS.mkdir(parents=True, exist_ok=True)
    participant = User.objects.get(email="participant@journease.test")
    dosing = (
        GroupSession.objects.filter(
            session_type__kind=SessionKind.DOSING, status=SessionStatus.PUBLISHED
        )
        .order_by("starts_at")
        .first()
    )
    roster = (
        GroupSession.objects.filter(enrollments__isnull=False, status=SessionStatus.PUBLISHED)
        .order_by("starts_at")
        .first()
    ) or dosing
    participant_pages = {
        "sessions": "/sessions/",
        "session-detail": f"/sessions/{dosing.pk}/",
        "my-program": "/me/",
        "my-sessions": "/me/sessions/",
        "progress": "/me/progress/",
    }
    for width, suffix in ((DESKTOP, "desktop"), (PHONE, "phone")):
        shoot(signed_in_page(None, width=width), live_server.url, {"home": "/"}, suffix=suffix)
        shoot(
            signed_in_page(participant, width=width),
            live_server.url,
            participant_pages,
            suffix=suffix,
        )

    staff_pages = {
        "staff-calendar": "/staff/",
        "staff-roster": f"/staff/sessions/{roster.pk}/",
        "staff-screenings": "/staff/screenings/",
        "staff-timeline": f"/staff/participants/{participant.pk}/timeline/",
        "staff-outcomes": "/staff/outcomes/",
    }
    screening = Screening.objects.exclude(status="draft").order_by("-submitted_at").first()
    if screening is not None:
        staff_pages["staff-screening-review"] = f"/staff/screenings/{screening.public_id}/"
    alert = SafetyAlert.objects.order_by("-created_at").first()
    if alert is not None:
        staff_pages["staff-alert"] = f"/staff/alerts/{alert.public_id}/"
    prescriber = User.objects.get(email="prescriber@journease.test")
    shoot(signed_in_page(prescriber, width=DESKTOP), live_server.url, staff_pages, suffix="desktop")
