"""Staff second factor, lockout after failed sign-ins, idle sign-out and deactivation."""

import datetime
import random
import re

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from participants.models import Role
from participants.services import two_factor
from tests.auth import sign_in
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

STAFF_HOME = "/staff/"


def password_sign_in(client: Client, email: str, password: str = TEST_PASSWORD):
    return client.post(reverse("participants:login"), {"username": email, "password": password})


def after_throttle() -> None:
    """django-otp slows down guessing: after a wrong code, the next try must wait a moment."""
    TOTPDevice.objects.update(throttling_failure_timestamp=None, throttling_failure_count=0)
    StaticDevice.objects.update(throttling_failure_timestamp=None, throttling_failure_count=0)


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_new_staff_member_sets_up_an_authenticator_before_any_staff_page(client, make_user):
    user = make_user(Role.COORDINATOR, email="desk@example.org")
    password_sign_in(client, "desk@example.org")

    response = client.get(STAFF_HOME)
    assert response.status_code == 302
    assert response.url.startswith(reverse("participants:two_factor_setup"))

    page = client.get(response.url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'src="data:image/svg+xml' in html
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    assert two_factor.totp_secret_base32(device) in html

    wrong = client.post(response.url, {"code": "000000", "next": STAFF_HOME})
    assert "did not match" in wrong.content.decode()
    after_throttle()
    done = client.post(response.url, {"code": current_code(device), "next": STAFF_HOME})
    codes = re.findall(r"<li><code>([0-9a-z]+)</code></li>", done.content.decode())
    assert len(codes) == two_factor.BACKUP_CODE_COUNT
    assert client.get(STAFF_HOME).status_code == 200


def test_staff_sign_in_asks_for_the_code_and_accepts_a_backup_code_once(client, make_user):
    user = make_user(Role.CLINICIAN, email="doc@example.org")
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    [code] = two_factor.backup_codes_create(user=user, codes=["abc123"])

    password_sign_in(client, "doc@example.org")
    response = client.get(STAFF_HOME)
    assert response.url.startswith(reverse("participants:two_factor_verify"))

    wrong = client.post(reverse("participants:two_factor_verify"), {"code": "123456"})
    assert wrong.status_code == 200
    assert "did not match" in wrong.content.decode()
    assert client.get(STAFF_HOME).status_code == 302

    after_throttle()
    ok = client.post(reverse("participants:two_factor_verify"), {"code": code, "next": STAFF_HOME})
    assert ok.status_code == 302 and ok.url == STAFF_HOME
    assert client.get(STAFF_HOME).status_code == 200

    again = Client()
    password_sign_in(again, "doc@example.org")
    used = again.post(reverse("participants:two_factor_verify"), {"code": code})
    assert "did not match" in used.content.decode()
    after_throttle()
    fresh = again.post(reverse("participants:two_factor_verify"), {"code": current_code(device)})
    assert fresh.status_code == 302


def test_django_admin_also_needs_the_second_factor(client, make_user):
    make_user(Role.ADMIN, email="boss@example.org")
    password_sign_in(client, "boss@example.org")
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "/accounts/two-factor/" in response.url


def test_participants_sign_in_without_a_second_factor(client, make_user):
    make_user(email="pat@example.org")
    password_sign_in(client, "pat@example.org")
    assert client.get(reverse("participants:profile")).status_code == 200


def test_the_next_address_after_the_second_factor_stays_on_this_site(client, make_user):
    user = make_user(Role.COORDINATOR, email="desk@example.org")
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    password_sign_in(client, "desk@example.org")
    response = client.post(
        reverse("participants:two_factor_verify"),
        {"code": current_code(device), "next": "https://evil.example.com/"},
    )
    assert response.url == STAFF_HOME


def test_repeated_failed_sign_ins_lock_the_account_with_a_clear_message(
    client, make_user, settings
):
    make_user(email="pat@example.org")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert password_sign_in(client, "pat@example.org", "wrong-password").status_code == 200
    assert password_sign_in(client, "pat@example.org", "wrong-password").status_code == 429
    locked = password_sign_in(client, "pat@example.org")  # even the right password
    assert locked.status_code == 429
    assert "Sign-in paused" in locked.content.decode()
    assert "_auth_user_id" not in client.session

    # An admin lifts the pause (Django admin's access attempts, or axes_reset).
    AccessAttempt.objects.all().delete()
    assert password_sign_in(client, "pat@example.org").status_code == 302


def test_a_lockout_does_not_lock_out_other_people(client, make_user, settings):
    make_user(email="pat@example.org")
    make_user(email="sam@example.org")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        password_sign_in(client, "pat@example.org", "wrong-password")
    assert password_sign_in(Client(), "sam@example.org").status_code == 302


@pytest.mark.parametrize(
    ("role", "idle_minutes", "signed_out"),
    [
        (Role.COORDINATOR, 14, False),
        (Role.COORDINATOR, 16, True),
        (Role.PARTICIPANT, 16, False),
        (Role.PARTICIPANT, 31, True),
    ],
)
def test_idle_sessions_end_after_15_minutes_for_staff_and_30_for_participants(
    make_user, role, idle_minutes, signed_out
):
    page = STAFF_HOME if role != Role.PARTICIPANT else reverse("participants:profile")
    start = datetime.datetime(2026, 12, 1, 17, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        client = sign_in(make_user(role))
        assert client.get(page).status_code == 200
        clock.shift(datetime.timedelta(minutes=idle_minutes))
        response = client.get(page, follow=True)
    if signed_out:
        assert response.redirect_chain[0][0].startswith(reverse("participants:login"))
        assert "without activity" in response.content.decode()
        assert "_auth_user_id" not in client.session
    else:
        assert response.status_code == 200
        assert response.redirect_chain == []


def test_the_page_carries_the_idle_timeout_for_the_warning(make_user):
    html = sign_in(make_user(Role.CLINICIAN)).get(STAFF_HOME).content.decode()
    assert 'data-idle-timeout="900"' in html
    assert 'id="idle-warning"' in html
    assert "js/idle.js" in html


def test_keepalive_resets_the_idle_timer(make_user):
    start = datetime.datetime(2026, 12, 1, 17, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as clock:
        client = sign_in(make_user(Role.COORDINATOR))
        client.get(STAFF_HOME)
        clock.shift(datetime.timedelta(minutes=14))
        assert client.post(reverse("participants:keepalive")).json()["signed_in"] is True
        clock.shift(datetime.timedelta(minutes=14))
        assert client.get(STAFF_HOME).status_code == 200


def test_deactivating_a_staff_member_ends_their_session_at_once(make_user):
    user = make_user(Role.CLINICIAN)
    client = sign_in(user)
    assert client.get(STAFF_HOME).status_code == 200
    user.is_active = False
    user.save()
    response = client.get(STAFF_HOME)
    assert response.status_code == 302
    assert response.url.startswith(reverse("participants:login"))


@pytest.mark.parametrize(
    ("scope", "url_name", "data"),
    [
        ("signup", "participants:signup", {"email": "x@example.org"}),
        ("password_reset", "participants:password_reset", {"email": "x@example.org"}),
        ("resend_verification", "participants:resend_verification", {"email": "x@example.org"}),
    ],
)
@time_machine.travel(datetime.datetime(2026, 12, 1, 17, 30, tzinfo=datetime.UTC), tick=False)
def test_sign_up_and_reset_requests_are_rate_limited_per_address(
    client, roles, settings, scope, url_name, data
):
    """Fixed hourly windows: the clock stands still so the hour cannot turn mid-test."""
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, scope: (3, 3600)}
    url = reverse(url_name)
    address, other = (f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{n}" for n in (1, 2))
    for _ in range(3):
        assert client.post(url, data, REMOTE_ADDR=address).status_code != 429
    limited = client.post(url, data, REMOTE_ADDR=address)
    assert limited.status_code == 429
    assert "Too many attempts" in limited.content.decode()
    # Another address is not affected.
    assert client.post(url, data, REMOTE_ADDR=other).status_code != 429


def test_rate_limit_counts_live_in_the_shared_cache_not_in_process_memory(settings):
    assert "LocMem" not in settings.CACHES["default"]["BACKEND"]
