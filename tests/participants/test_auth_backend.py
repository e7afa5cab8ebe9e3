"""The sign-in backend: Django's ModelBackend with the signed-in person read by a query compiled
once; sessions that name Django's own backend stay signed in; a wrong password is checked once."""

from importlib import import_module

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth.hashers import check_password
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from participants import auth_backend
from participants.auth_backend import UserBackend
from participants.models import Role, User
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

BACKEND = "participants.auth_backend.UserBackend"
DJANGOS = "django.contrib.auth.backends.ModelBackend"


def sign_in(client: Client, email: str, password: str = TEST_PASSWORD):
    return client.post(reverse("participants:login"), {"username": email, "password": password})


def greeting(client: Client) -> str:
    return client.get(reverse("participants:me")).content.decode()


def test_signing_in_names_this_backend_and_reads_the_person_in_one_query(client, make_user):
    person = make_user(Role.PARTICIPANT, email="river@example.org", first_name="River")
    sign_in(client, "river@example.org")
    assert client.session[BACKEND_SESSION_KEY] == BACKEND
    with CaptureQueriesContext(connection) as queries:
        assert UserBackend().get_user(str(person.pk)) == person
    assert len(queries) == 1
    assert "River" in greeting(client)


def test_the_persons_query_is_built_once_per_process(make_user, monkeypatch):
    first, second = make_user(Role.PARTICIPANT), make_user(Role.PARTICIPANT)
    backend = UserBackend()
    assert backend.get_user(str(first.pk)) == first

    def built_again():
        raise AssertionError("the query was built again")

    monkeypatch.setattr(auth_backend, "_by_pk", built_again)
    assert backend.get_user(str(second.pk)) == second
    assert backend.get_user(str(first.pk)).email == first.email


def test_a_session_signed_in_before_through_djangos_backend_stays_signed_in(make_user):
    person = make_user(Role.PARTICIPANT, first_name="River")
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(person.pk)
    store[BACKEND_SESSION_KEY] = DJANGOS
    store[HASH_SESSION_KEY] = person.get_session_auth_hash()
    store.create()
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = store.session_key
    page = client.get(reverse("participants:me"))
    assert page.status_code == 200
    assert "River" in page.content.decode()


def test_no_one_is_read_for_a_key_that_is_not_an_account(make_user):
    person = make_user(Role.PARTICIPANT)
    backend = UserBackend()
    assert backend.get_user(str(person.pk + 1000)) is None
    assert backend.get_user("not a number") is None
    person.is_active = False
    person.save(update_fields=["is_active"])
    assert backend.get_user(str(person.pk)) is None


def test_a_wrong_password_is_checked_once_and_counted(client, make_user, monkeypatch):
    make_user(Role.PARTICIPANT, email="river@example.org")
    checked = []

    def counting(self, raw_password):
        checked.append(raw_password)
        return check_password(raw_password, self.password)

    monkeypatch.setattr(User, "check_password", counting)
    page = sign_in(client, "river@example.org", "not-the-password")
    assert page.status_code == 200  # the form again, with its error
    assert SESSION_KEY not in client.session
    assert checked == ["not-the-password"]
    assert AccessAttempt.objects.get().failures_since_start == 1
    # The right one still signs in, through this backend.
    checked.clear()
    sign_in(client, "river@example.org")
    assert checked == [TEST_PASSWORD]
    assert client.session[BACKEND_SESSION_KEY] == BACKEND
