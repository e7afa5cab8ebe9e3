"""Where a person lands after signing in: their own next step, or their role's staff page.

Staff land there after the second step of the sign-in too; a safe ``next`` address always wins.
"""

import html
import re
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from participants.models import Role
from participants.services.alerts import safety_alert_acknowledge
from tests.auth import sign_in
from tests.factories import TEST_PASSWORD, SafetyAlertFactory

pytestmark = pytest.mark.django_db

ME = reverse("participants:me")
CALENDAR = reverse("sessions_app:staff_dashboard")
REVIEW_QUEUE = reverse("participants:review_queue")
ALERTS = reverse("participants:alert_list")
LOGIN = reverse("participants:login")


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def sign_in_with_password(client: Client, user, next_url: str | None = None):
    path = LOGIN if next_url is None else f"{LOGIN}?next={next_url}"
    return client.post(path, {"username": user.email, "password": TEST_PASSWORD})


def staff_sign_in(client: Client, user, next_url: str | None = None) -> str:
    """Both steps of a staff sign-in, as a browser takes them; returns where the person lands."""
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    response = sign_in_with_password(client, user, next_url)
    assert response.status_code == 302
    # The password step leads on; any page asks for the code first, keeping where it led.
    second = client.get(response.url)
    assert second.status_code == 302
    assert second.url.startswith(reverse("participants:two_factor_verify"))
    page = client.get(second.url)
    hidden = re.search(r'name="next" value="([^"]*)"', page.content.decode()).group(1)
    done = client.post(second.url, {"code": current_code(device), "next": html.unescape(hidden)})
    assert done.status_code == 302
    return done.url


def test_participant_lands_on_my_program_not_the_welcome_page(client, make_user):
    participant = make_user(email="pat@example.org")
    response = sign_in_with_password(client, participant)
    assert response.status_code == 302
    assert response.url == ME
    assert client.get(response.url).status_code == 200


def test_a_signed_in_participant_opening_the_sign_in_page_goes_to_my_program(make_user):
    client = sign_in(make_user())
    response = client.get(LOGIN)
    assert response.status_code == 302
    assert response.url == ME


def test_coordinator_lands_on_the_staff_calendar_after_the_second_step(client, make_user):
    coordinator = make_user(Role.COORDINATOR)
    SafetyAlertFactory()  # not theirs to answer: coordinators do not see alerts
    assert staff_sign_in(client, coordinator) == CALENDAR
    assert client.get(CALENDAR).status_code == 200


def test_clinician_lands_on_the_review_queue(client, make_user):
    clinician = make_user(Role.CLINICIAN)
    assert staff_sign_in(client, clinician) == REVIEW_QUEUE
    assert client.get(REVIEW_QUEUE).status_code == 200


def test_clinician_lands_on_the_safety_alerts_while_one_is_open(client, make_user):
    SafetyAlertFactory()
    clinician = make_user(Role.CLINICIAN)
    assert staff_sign_in(client, clinician) == ALERTS
    assert client.get(ALERTS).status_code == 200


def test_acknowledged_alerts_do_not_divert_the_clinician(client, make_user):
    owner = make_user(Role.CLINICIAN)
    alert = SafetyAlertFactory()
    safety_alert_acknowledge(alert=alert, clinician=owner)
    assert staff_sign_in(client, make_user(Role.CLINICIAN)) == REVIEW_QUEUE


def test_admin_lands_on_the_staff_calendar_or_on_open_safety_alerts(make_user):
    admin = make_user(Role.ADMIN)
    assert staff_sign_in(Client(), admin) == CALENDAR
    SafetyAlertFactory()
    TOTPDevice.objects.filter(user=admin).delete()
    assert staff_sign_in(Client(), admin) == ALERTS


def test_a_safe_next_address_wins_over_the_landing_page(client, make_user):
    participant = make_user()
    response = sign_in_with_password(client, participant, next_url="/me/sessions/")
    assert response.url == "/me/sessions/"


def test_a_next_address_elsewhere_is_ignored(client, make_user):
    participant = make_user()
    response = sign_in_with_password(client, participant, next_url="https://evil.example.com/")
    assert response.url == ME


def test_staff_next_address_survives_the_second_step_whole(client, make_user):
    """The address a staff member asked for keeps every part of its query through the code."""
    coordinator = make_user(Role.COORDINATOR)
    wanted = f"{CALENDAR}?view=month&date=2030-03-04"
    assert staff_sign_in(client, coordinator, next_url=quote(wanted, safe="")) == wanted


def test_second_step_without_a_next_address_lands_on_the_role_page(client, make_user):
    clinician = make_user(Role.CLINICIAN)
    device = TOTPDevice.objects.create(user=clinician, name="app", confirmed=True)
    sign_in_with_password(client, clinician)
    response = client.post(
        reverse("participants:two_factor_verify"), {"code": current_code(device)}
    )
    assert response.status_code == 302
    assert response.url == REVIEW_QUEUE
