"""``/healthz``: the database and the broker, 200 when both answer and 503 otherwise."""

import pytest
from django.urls import reverse

from journease.celery import app as celery_app

pytestmark = pytest.mark.django_db


def test_healthz_is_ok_when_database_and_broker_answer(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == "ok"
    assert body["broker"] == "ok"


def test_healthz_is_503_when_the_broker_does_not_answer(client):
    # A real connection attempt to a port where nothing listens.
    broker_url = celery_app.conf.broker_url
    celery_app.conf.broker_url = "redis://127.0.0.1:9/0"
    try:
        response = client.get(reverse("healthz"))
    finally:
        celery_app.conf.broker_url = broker_url
    assert response.status_code == 503
    assert response.json() == {**response.json(), "status": "unavailable", "broker": "unavailable"}
    assert response.json()["database"] == "ok"


@pytest.mark.services("redis")
def test_healthz_reports_redis_as_the_broker_on_the_real_stack(client):
    body = client.get(reverse("healthz")).json()
    assert body["broker_transport"] == "redis"
    assert body["broker"] == "ok"


def test_heartbeat_task_records_the_time_reported_by_healthz(client):
    from journease.tasks import heartbeat

    stamp = heartbeat.delay().get()
    assert client.get(reverse("healthz")).json()["worker_heartbeat"] == stamp
