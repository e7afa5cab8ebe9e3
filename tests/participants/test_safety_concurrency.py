"""Two clinicians acknowledge the same alert at the same moment: exactly one owns it; two sweeps
escalate an overdue alert once. Proven on PostgreSQL (SQLite has no row locks)."""

import datetime
import threading

import pytest
from django.db import connection

from participants.models import AlertStatus, Role, SafetyAlert
from participants.services.alerts import (
    AlertRefused,
    safety_alert_acknowledge,
    safety_alert_escalate_overdue,
)
from tests.factories import SafetyAlertFactory
from tests.outbox import delivered

NOW = datetime.datetime(2026, 11, 25, 18, 0, tzinfo=datetime.UTC)


def run_together(*calls) -> list:
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def attempt(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - the outcome is what the test checks
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


@pytest.mark.services("postgres")
@pytest.mark.django_db(transaction=True)
def test_simultaneous_acknowledgements_leave_exactly_one_owner(make_user):
    alert = SafetyAlertFactory(created_at=NOW)
    first, second = make_user(Role.CLINICIAN), make_user(Role.CLINICIAN)
    results = run_together(
        lambda: safety_alert_acknowledge(alert=alert, clinician=first),
        lambda: safety_alert_acknowledge(alert=alert, clinician=second),
    )
    refused = [result for result in results if isinstance(result, AlertRefused)]
    assert len(refused) == 1, results
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED
    assert alert.acknowledged_by in (first, second)


@pytest.mark.services("postgres")
@pytest.mark.django_db(transaction=True)
def test_simultaneous_sweeps_escalate_once(make_user):
    make_user(Role.CLINICIAN)
    SafetyAlertFactory(created_at=NOW)
    later = NOW + datetime.timedelta(minutes=31)
    results = run_together(
        lambda: safety_alert_escalate_overdue(now=later),
        lambda: safety_alert_escalate_overdue(now=later),
    )
    assert sorted(results) == [0, 1], results
    assert len(delivered()) == 1
    assert SafetyAlert.objects.get().escalated_at == later
