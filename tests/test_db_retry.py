"""A deadlock or serialization failure is retried, never shown as a 500 (issue 16).

PostgreSQL's own deadlock is forced in tests/sessions_app/test_concurrency_defects.py; here the
database error is simulated, so the retry and what the person sees are checked on any database.
"""

import pytest
from django.db import OperationalError, transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from journease import db_retry
from journease.middleware import TryAgainMiddleware
from participants.models import Role
from sessions_app.models import Enrollment, GroupSession
from sessions_app.services import enrollment as enrollment_service
from sessions_app.services import scheduling
from tests.auth import sign_in
from tests.factories import EligibleParticipantFactory, GroupSessionFactory, StaffFactory


class _PgError(Exception):
    def __init__(self, pgcode: str):
        super().__init__(pgcode)
        self.pgcode = pgcode


def aborted(pgcode: str = "40P01") -> OperationalError:
    """What Django raises when PostgreSQL aborts a transaction as a deadlock (40P01) or a
    serialization failure (40001): an OperationalError caused by psycopg2's error."""
    error = OperationalError("deadlock detected")
    error.__cause__ = _PgError(pgcode)
    return error


@pytest.fixture(autouse=True)
def no_pause(monkeypatch):
    monkeypatch.setattr(db_retry.time, "sleep", lambda seconds: None)


@pytest.mark.parametrize("pgcode", ["40P01", "40001"])
def test_an_aborted_transaction_runs_again_and_succeeds(pgcode):
    calls = []

    def work():
        calls.append(1)
        if len(calls) < db_retry.ATTEMPTS:
            raise aborted(pgcode)
        return "done"

    assert db_retry.run_retried(work, give_up=RuntimeError) == "done"
    assert len(calls) == db_retry.ATTEMPTS


def test_after_the_last_attempt_the_person_is_asked_to_try_again():
    calls = []

    def work():
        calls.append(1)
        raise aborted()

    class TryAgain(Exception):
        pass

    with pytest.raises(TryAgain):
        db_retry.run_retried(work, give_up=TryAgain)
    assert len(calls) == db_retry.ATTEMPTS


def test_other_database_errors_are_not_retried():
    calls = []

    def work():
        calls.append(1)
        raise OperationalError("no such table")

    with pytest.raises(OperationalError):
        db_retry.run_retried(work, give_up=RuntimeError)
    assert len(calls) == 1


@pytest.mark.django_db
def test_inside_an_outer_transaction_the_error_goes_up_to_it():
    """A retry inside a savepoint would run in an aborted transaction: the outer one retries."""
    calls = []

    def work():
        calls.append(1)
        raise aborted()

    with pytest.raises(OperationalError), transaction.atomic():
        db_retry.run_retried(work, give_up=RuntimeError)
    assert len(calls) == 1


@pytest.mark.django_db(transaction=True)
def test_enrolling_through_repeated_deadlocks_says_try_again_at_the_form(roles, monkeypatch):
    session = GroupSessionFactory(capacity=3)
    person = EligibleParticipantFactory()
    attempts = []

    def deadlocked(**kwargs):
        attempts.append(1)
        raise aborted()

    monkeypatch.setattr(enrollment_service, "_seat_take", deadlocked)
    response = sign_in(person).post(reverse("sessions_app:session_enroll", args=[session.pk]))

    assert response.status_code == 200
    assert "Please try again" in response.content.decode()
    assert len(attempts) == db_retry.ATTEMPTS
    assert not Enrollment.objects.filter(session=session).exists()


@pytest.mark.django_db(transaction=True)
def test_admin_change_form_through_repeated_deadlocks_says_try_again(roles, monkeypatch):
    session = GroupSessionFactory(capacity=4, title="Tuesday circle")
    admin = sign_in(StaffFactory(role=Role.ADMIN))
    original = scheduling.session_update

    def deadlocked(**kwargs):
        original(**kwargs)  # the change is written, then the transaction is aborted
        raise aborted()

    monkeypatch.setattr(scheduling, "session_update", deadlocked)
    page = admin.get(reverse("admin:sessions_app_groupsession_change", args=[session.pk]))
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data |= {
        "title": "Renamed circle",
        "starts_at_0": form["starts_at"].value().strftime("%Y-%m-%d"),
        "starts_at_1": form["starts_at"].value().strftime("%H:%M:%S.%f"),
        "ends_at_0": form["ends_at"].value().strftime("%Y-%m-%d"),
        "ends_at_1": form["ends_at"].value().strftime("%H:%M:%S.%f"),
        "facilitators": [],
        "medical_monitor": "",
    }
    for prefix in ("enrollments", "waitlist_entries"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    response = admin.post(
        reverse("admin:sessions_app_groupsession_change", args=[session.pk]), data
    )

    assert response.status_code == 200
    assert "Please try again" in str(response.context["adminform"].form.non_field_errors())
    assert GroupSession.objects.get(pk=session.pk).title == "Tuesday circle"


def test_a_deadlock_that_escaped_every_retry_is_a_503_page_not_a_500():
    middleware = TryAgainMiddleware(lambda request: HttpResponse())
    request = RequestFactory().post("/sessions/1/enroll/")
    response = middleware.process_exception(request, aborted())
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    assert "try again" in response.content.decode()
    assert middleware.process_exception(request, ValueError("other")) is None
