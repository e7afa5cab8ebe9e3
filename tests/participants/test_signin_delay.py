"""Sign-in abuse across addresses (issue 17, item 11): a per-account delay, counted from any address.

django-axes counts failures per account and address together, so credential stuffing from many
addresses is never slowed by it. After ``SIGNIN_DELAY_AFTER_FAILURES`` failures for one account in
an hour, each further attempt waits longer (30 s, doubling, up to 15 minutes); an attempt made
before the wait is over is refused without checking the password. A delay, not a lock.
"""

import datetime
from unittest import mock

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.auth.backends import ModelBackend
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import reverse

from participants.models import AuditAction, AuditEvent, Role
from participants.services import signin_throttle
from tests import clock
from tests.auth import sign_in
from tests.factories import TEST_PASSWORD
from tests.outbox import delivered

pytestmark = pytest.mark.django_db

EMAIL = "pat@example.org"
WRONG = "not-the-password-1"
DELAYED = "Too many failed sign-ins for this account."


def attempt(email: str = EMAIL, password: str = TEST_PASSWORD, *, address: str = "10.9.0.1"):
    """One sign-in from ``address`` in a fresh browser, as a stuffing tool does."""
    client = Client()
    response = client.post(
        reverse("participants:login"),
        {"username": email, "password": password},
        REMOTE_ADDR=address,
    )
    response.signed_in = "_auth_user_id" in client.session
    return response


def fail_from_many_addresses(count: int, email: str = EMAIL, *, first: int = 1) -> None:
    for n in range(first, first + count):
        response = attempt(email, WRONG, address=f"10.8.{n // 250}.{n % 250 + 1}")
        assert response.status_code == 200, "a wrong password is refused at the form"
        assert not response.signed_in


def is_delayed(response) -> bool:
    return response.status_code == 429 and DELAYED in response.content.decode()


@pytest.fixture(autouse=True)
def no_count_left_over():
    """With Redis, the cache outlives a test's transaction: start each test from no failures."""
    for email in (
        EMAIL,
        "doc@example.org",
        "desk@example.org",
        "nobody@example.org",
        "sam@example.org",
    ):
        signin_throttle.signin_delay_clear(email=email)


def stored_in_cache() -> list[tuple[str, str]]:
    """Every key and value in the shared cache, as text (the database cache or Redis)."""
    if django_settings.CACHES["default"]["BACKEND"].endswith("DatabaseCache"):
        with connection.cursor() as cursor:
            cursor.execute("SELECT cache_key, value FROM journease_cache")
            return list(cursor.fetchall())
    client = cache._cache.get_client(None)
    prefix = django_settings.CACHES["default"]["KEY_PREFIX"]
    keys = client.keys(f"{prefix}:*")
    return [(key.decode(), (client.get(key) or b"").decode("latin-1")) for key in keys]


@pytest.fixture
def frozen():
    """The stated instant, standing still, so a wait of 30 seconds is exactly 30 seconds."""
    with time_machine.travel(clock.run_instant(), tick=False) as traveller:
        yield traveller


def wait(traveller, seconds: float) -> None:
    traveller.shift(datetime.timedelta(seconds=seconds))


def test_ten_failures_from_ten_addresses_make_the_right_password_wait(make_user, frozen, settings):
    assert settings.SIGNIN_DELAY_AFTER_FAILURES == 10
    make_user(email=EMAIL)
    fail_from_many_addresses(10)

    password_check = ModelBackend.authenticate
    with mock.patch.object(
        ModelBackend, "authenticate", autospec=True, side_effect=password_check
    ) as check:
        refused = attempt(address="10.7.0.1")
    assert is_delayed(refused)
    assert not refused.signed_in
    check.assert_not_called()  # refused before the password is even looked at
    html = refused.content.decode()
    assert "Try again in 30 seconds, or reset your password." in html
    assert reverse("participants:password_reset") in html
    assert refused["Retry-After"] == "30"

    wait(frozen, 29)
    assert is_delayed(attempt(address="10.7.0.2"))
    wait(frozen, 1)
    allowed = attempt(address="10.7.0.3")
    assert allowed.status_code == 302
    assert allowed.signed_in


def test_attempts_refused_during_the_wait_do_not_lengthen_it(make_user, frozen):
    make_user(email=EMAIL)
    fail_from_many_addresses(10)
    for n in range(20):
        assert is_delayed(attempt(password=WRONG, address=f"10.6.0.{n + 1}"))
    wait(frozen, 30)
    assert attempt().signed_in


def test_the_wait_doubles_with_each_failure_then_stays_at_the_cap(make_user, frozen, settings):
    assert settings.SIGNIN_DELAY_BASE_SECONDS == 30
    assert settings.SIGNIN_DELAY_MAX_SECONDS == 15 * 60
    make_user(email=EMAIL)
    fail_from_many_addresses(10)

    seen = []
    for step, expected in enumerate((30, 60, 120, 240, 480, 900, 900)):
        wait(frozen, expected - 1)
        early = attempt(address=f"10.5.0.{step + 1}")
        assert is_delayed(early), f"still waiting 1 s before the {expected} s are over"
        seen.append(int(early["Retry-After"]))
        wait(frozen, 1)
        # A new address each time, as stuffing does (axes would stop one address at 5).
        assert attempt(password=WRONG, address=f"10.5.1.{step + 1}").status_code == 200
    assert seen == [1] * 7

    # Straight after a failure, the page says how long, in words a person reads.
    assert "Try again in 15 minutes" in attempt(address="10.5.0.3").content.decode()


def test_the_wait_is_shown_in_minutes_once_it_is_past_a_minute(make_user, frozen):
    make_user(email=EMAIL)
    fail_from_many_addresses(10)
    wait(frozen, 30)
    fail_from_many_addresses(1, first=11)
    wait(frozen, 60)
    fail_from_many_addresses(1, first=12)
    refused = attempt()
    assert "Try again in 2 minutes, or reset your password." in refused.content.decode()


def test_failures_older_than_an_hour_no_longer_count(make_user, frozen):
    make_user(email=EMAIL)
    fail_from_many_addresses(9)
    wait(frozen, 3600)
    fail_from_many_addresses(1, first=10)
    assert attempt().signed_in


def test_a_successful_sign_in_clears_the_count(make_user, frozen):
    make_user(email=EMAIL)
    fail_from_many_addresses(10)
    wait(frozen, 30)
    assert attempt().signed_in
    fail_from_many_addresses(9, first=20)
    assert attempt().signed_in


def test_the_owner_is_told_once_per_episode_in_neutral_words(
    make_user, frozen, django_capture_on_commit_callbacks
):
    # Mail is queued once the request's transaction commits; Celery runs eagerly in tests.
    def committed():
        return django_capture_on_commit_callbacks(execute=True)

    make_user(email=EMAIL)
    with committed():
        fail_from_many_addresses(9)
    assert mail.outbox == []
    with committed():
        fail_from_many_addresses(1, first=10)
    assert [message.to for message in mail.outbox] == [[EMAIL]]

    # Further failures and refusals in the same episode send nothing more.
    with committed():
        for seconds in (30, 60, 120):
            assert is_delayed(attempt(password=WRONG))
            wait(frozen, seconds)
            fail_from_many_addresses(1, first=100 + seconds)
    assert len(mail.outbox) == 1

    message = mail.outbox[0]
    html = message.alternatives[0][0]
    text = f"{message.subject}\n{message.body}\n{html}"
    assert reverse("participants:password_reset") in message.body
    for private in ("10.8.", "ketamine", "Ketamine", "988", "therapy", "screening"):
        assert private not in text
    assert "sign" in message.subject.lower()

    # A successful sign-in ends the episode; the next one is told again, once.
    wait(frozen, 240)
    with committed():
        assert attempt().signed_in
        fail_from_many_addresses(10, first=200)
    assert [message.to for message in mail.outbox] == [[EMAIL], [EMAIL]]


def test_password_reset_still_works_during_the_delay_and_ends_it(make_user, frozen):
    make_user(email=EMAIL)
    fail_from_many_addresses(10)
    assert is_delayed(attempt())
    mail.outbox.clear()

    client = Client()
    asked = client.post(reverse("participants:password_reset"), {"email": EMAIL})
    assert asked.status_code == 302
    # The reset e-mail is an outbox row: the sweep sends it.
    [reset_mail] = [message for message in delivered() if "Reset" in message.subject]
    link = next(line for line in reset_mail.body.splitlines() if "/reset/" in line)
    path = "/" + link.split("://", 1)[1].split("/", 1)[1]
    form_page = client.get(path, follow=True)
    assert form_page.status_code == 200
    new_password = "a-brand-new-password-77"
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": new_password, "new_password2": new_password},
    )
    assert done.status_code == 302

    assert attempt(password=new_password).signed_in


def test_an_admin_clears_the_delay_on_the_team_page_and_it_is_audited(make_user, frozen):
    member = make_user(Role.CLINICIAN, email="doc@example.org")
    other = make_user(Role.COORDINATOR, email="desk@example.org")
    fail_from_many_addresses(10, email="doc@example.org")
    assert is_delayed(attempt("doc@example.org"))

    admin = sign_in(make_user(Role.ADMIN))
    page = admin.get(reverse("team:list")).content.decode()
    clear_url = reverse("team:clear_signin_delay", args=[member.pk])
    assert clear_url in page
    assert reverse("team:clear_signin_delay", args=[other.pk]) not in page

    response = admin.post(clear_url)
    assert response.status_code == 302
    assert "Sign-in delay cleared" in admin.get(response.url).content.decode()
    event = AuditEvent.objects.get(record_type="sign-in delay")
    assert event.action == AuditAction.UPDATE
    assert event.actor == admin.user
    assert event.participant == member

    assert attempt("doc@example.org").signed_in


def test_only_admins_clear_a_delay(make_user, staff_client):
    member = make_user(Role.CLINICIAN)
    for role in (Role.COORDINATOR, Role.CLINICIAN):
        response = staff_client(role).post(reverse("team:clear_signin_delay", args=[member.pk]))
        assert response.status_code == 403
    assert not AuditEvent.objects.filter(record_type="sign-in delay").exists()


def test_an_unknown_address_is_delayed_alike_and_nobody_is_mailed(
    roles, frozen, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as queued:
        fail_from_many_addresses(10, email="nobody@example.org")
    assert queued == []
    assert is_delayed(attempt("nobody@example.org"))
    assert mail.outbox == []


def test_the_count_is_per_account_whatever_the_case_of_the_address(make_user, frozen):
    make_user(email=EMAIL)
    make_user(email="sam@example.org")
    fail_from_many_addresses(5, email="PAT@example.org")
    fail_from_many_addresses(5, email=" pat@EXAMPLE.org ", first=6)
    assert is_delayed(attempt())
    assert attempt("sam@example.org").signed_in  # other accounts are not slowed


def test_axes_per_address_lockout_still_works_as_before(make_user, frozen, settings):
    make_user(email=EMAIL)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt(password=WRONG, address="10.4.0.1")
    locked = attempt(address="10.4.0.1")
    assert locked.status_code == 429
    assert "Sign-in paused" in locked.content.decode()
    assert not locked.signed_in
    # Fewer than ten failures for the account: another address still signs in at once.
    assert attempt(address="10.4.0.2").signed_in


def test_the_shared_cache_holds_no_address_or_email_in_clear(make_user, frozen, caplog):
    assert "LocMem" not in django_settings.CACHES["default"]["BACKEND"]
    make_user(email=EMAIL)
    with caplog.at_level("DEBUG"):
        fail_from_many_addresses(10)
        attempt()
    rows = stored_in_cache()
    keys = [key for key, _value in rows if "signin-delay" in key]
    assert keys, "the count lives in the shared cache"
    for key, value in rows:
        for secret in ("pat@", "example.org", "10.8.", "10.9."):
            assert secret not in key
            assert secret not in value
    for record in caplog.records:
        assert "pat@" not in record.getMessage()
        assert "10.8." not in record.getMessage()


def test_the_schedule_of_waits(settings):
    settings.SIGNIN_DELAY_AFTER_FAILURES = 3
    settings.SIGNIN_DELAY_BASE_SECONDS = 10
    settings.SIGNIN_DELAY_MAX_SECONDS = 50
    waits = [signin_throttle.signin_delay_seconds(failures) for failures in range(0, 8)]
    assert waits == [0, 0, 0, 10, 20, 40, 50, 50]
    assert signin_throttle.signin_delay_seconds(10_000) == 50
