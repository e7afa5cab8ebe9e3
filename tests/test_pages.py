"""The base layout: security headers, no inline script or style, landmarks and labelled fields."""

import re

import pytest
from django.urls import reverse

from participants.models import Role

pytestmark = pytest.mark.django_db

PUBLIC_PAGES = [
    "home",
    "sessions_app:session_list",
    "participants:login",
    "participants:signup",
    "participants:password_reset",
    "participants:resend_verification",
]


def test_content_security_policy_allows_no_inline_script_or_style(client):
    response = client.get(reverse("home"))
    policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert "unsafe-inline" not in policy
    assert directives["frame-ancestors"] == "'none'"


def assert_no_inline_code(html: str, where: str) -> None:
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), f"inline <script> on {where}"
    assert not re.search(r"\sstyle\s*=", html), f"style= attribute on {where}"
    assert not re.search(r"\son[a-z]+\s*=", html), f"inline event handler on {where}"


@pytest.mark.parametrize("name", PUBLIC_PAGES)
def test_public_pages_have_landmarks_skip_link_and_no_inline_code(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    html = response.content.decode()
    assert_no_inline_code(html, name)
    assert 'href="#main"' in html and 'id="main"' in html
    assert "<nav" in html and "<main" in html and "<footer" in html
    assert "988" in html  # crisis resources on every page
    # Every visible input has a label.
    for field in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
        if re.search(r'type="(?:submit|hidden|button)"', field):
            continue
        input_id = re.search(r'\bid="([^"]+)"', field).group(1)
        assert f'for="{input_id}"' in html, f"{input_id} has no label on {name}"


def test_signed_in_pages_have_no_inline_code(participant_client, staff_client):
    participant = participant_client()
    for name in ["home", "participants:profile", "participants:password_change"]:
        assert_no_inline_code(participant.get(reverse(name)).content.decode(), name)
    coordinator = staff_client(Role.COORDINATOR)
    html = coordinator.get(reverse("sessions_app:staff_dashboard")).content.decode()
    assert_no_inline_code(html, "staff dashboard")


def test_static_assets_are_served_locally(client):
    html = client.get(reverse("home")).content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+\.(?:css|js))"', html)
    assert sources, "the page loads no stylesheet or script"
    assert all(source.startswith("/static/") for source in sources), sources


def test_home_page_explains_the_program_and_leads_to_sessions(client):
    html = client.get(reverse("home")).content.decode()
    assert "How the group program works" in html
    assert reverse("sessions_app:session_list") in html
    assert reverse("participants:signup") in html


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_permission_denied_page_is_friendly(participant_client):
    response = participant_client().get(reverse("sessions_app:staff_dashboard"))
    assert response.status_code == 403
    assert "not available to your account" in response.content.decode()


def test_server_error_page_renders_without_a_request_context():
    from django.template.loader import render_to_string

    html = render_to_string("500.html")
    assert "Something went wrong" in html and "988" in html
    assert_no_inline_code(html, "500")
