"""Shared fixtures: roles, signed-in clients per role, and the gate for real-service tests."""

import datetime
import os
from collections.abc import Callable
from contextlib import contextmanager
from functools import cache

import factory.random
import pytest
import time_machine
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.apps import apps
from django.conf import settings
from django.db import connections
from django.db.models.signals import post_migrate
from django.test import Client
from django.utils import timezone

from journease.celery import app as celery_app
from participants.models import ConsentDocument, Role, User
from participants.services.accounts import ensure_roles
from tests import clock, factories
from tests.audit_flush import flush_may_truncate_the_audit_log
from tests.auth import sign_in


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--clock",
        default=None,
        help="the instant every test without a clock marker starts at (ISO 8601; clinic-local "
        f"time without an offset). Default: ${clock.ENV}, else the moment the run starts.",
    )


def pytest_configure(config: pytest.Config) -> None:
    """Fix the run's instant once; xdist workers inherit it through the environment."""
    config.addinivalue_line(
        "markers",
        "clock(instant): start the test at this instant (ISO 8601; clinic-local time without an "
        "offset) instead of the run's; see tests/clock.py",
    )
    stated = config.getoption("--clock") or os.environ.get(clock.ENV)
    if stated:
        instant = clock.parse_instant(stated)
    else:
        instant = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    os.environ[clock.ENV] = instant.isoformat()


def pytest_report_header(config: pytest.Config) -> str:
    instant = clock.run_instant()
    clinic = timezone.localtime(instant).strftime("%A %Y-%m-%d %H:%M %Z")
    return (
        f"clock: tests start at {instant.isoformat()} ({clinic}, clinic time) unless marked; "
        f"replay with --clock={instant.isoformat()}"
    )


@pytest.fixture(scope="session")
def _setup_clock():
    """The clock while the test database is made: long before any test's instant."""
    traveller = time_machine.travel(clock.SETUP_INSTANT, tick=True)
    traveller.start()
    return traveller


@pytest.fixture(scope="session")
def django_db_setup(_setup_clock, django_db_setup):
    """pytest-django's database, made at ``clock.SETUP_INSTANT``: rows seeded after migrate (the
    first consent document, say) already exist at whatever instant a test states."""
    _setup_clock.stop()


def _seeds_as_made_with_the_database(sender, **kwargs) -> None:
    """After a transactional test's flush, ``post_migrate`` seeds the first consent again at that
    test's stated instant (2027, say), and a later test stated earlier (2000, the week of the run)
    would find no consent published yet. The seeds are dated as when the database was made."""
    if sender is not list(apps.get_app_configs())[-1]:  # after participants' own (the last app)
        return
    ConsentDocument.objects.filter(version=1, published_at__gt=clock.SETUP_INSTANT).update(
        published_at=clock.SETUP_INSTANT
    )


@pytest.fixture(scope="session", autouse=True)
def _seeds_dated_at_setup():
    post_migrate.connect(_seeds_as_made_with_the_database, dispatch_uid="tests.seeds_dated")
    yield
    post_migrate.disconnect(dispatch_uid="tests.seeds_dated")


@pytest.fixture(scope="session", autouse=True)
def _test_flush_may_empty_the_audit_log():
    """PostgreSQL refuses TRUNCATE of the audit log except in the test database's own flush
    after a transactional test: see tests/audit_flush.py."""
    with flush_may_truncate_the_audit_log():
        yield


@pytest.fixture(autouse=True)
def repeatable_test_data(request: pytest.FixtureRequest) -> None:
    """Factories draw the same names and values for a test on every run, so a test that passes
    once passes again (a random surname that happens to be a word on the page is found at once)."""
    factory.random.reseed_random(request.node.nodeid)


@pytest.fixture(autouse=True)
def stated_clock(request: pytest.FixtureRequest):
    """Every test starts at a stated instant (tests/clock.py); browser tests keep the real one."""
    if request.node.get_closest_marker("e2e"):
        yield None
        return
    marker = request.node.get_closest_marker("clock")
    instant = clock.parse_instant(marker.args[0]) if marker else clock.run_instant()
    with time_machine.travel(instant, tick=True) as traveller:
        yield traveller


@cache
def _service_available(name: str) -> bool:
    if name == "postgres":
        return settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    if name == "redis":
        if not settings.REDIS_URL:
            return False
        import redis

        try:
            return bool(redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping())
        except redis.RedisError:
            return False
    raise ValueError(f"unknown service {name!r}")


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Tests marked ``services`` skip without PostgreSQL/Redis, or fail when CI requires them."""
    marker = item.get_closest_marker("services")
    if marker is None:
        return
    names = marker.args or ("postgres", "redis")
    missing = [name for name in names if not _service_available(name)]
    if not missing:
        return
    reason = f"needs {' and '.join(missing)} (set DATABASE_URL to PostgreSQL and REDIS_URL)"
    if os.environ.get("JOURNEASE_REQUIRE_SERVICES") == "1":
        pytest.fail(f"JOURNEASE_REQUIRE_SERVICES=1 but this test {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture
def roles(db) -> None:
    """The role groups and their permissions (flushed by transactional tests, so made again)."""
    ensure_roles()


@pytest.fixture
def screening_defaults(roles) -> None:
    """The default flag rules, consent document and screening policy (seeded after migrate;
    flushed by transactional tests, so made again)."""
    from participants.models import ScreeningPolicy
    from participants.services.consent import ensure_default_consent_document
    from participants.services.scoring import ensure_default_flag_rules

    ensure_default_flag_rules()
    ensure_default_consent_document()
    ScreeningPolicy.current()


@pytest.fixture
def make_user(roles) -> Callable[..., User]:
    def make(role: str = Role.PARTICIPANT, **kwargs) -> User:
        if role == Role.PARTICIPANT:
            return factories.ParticipantFactory(**kwargs)
        return factories.StaffFactory(role=role, **kwargs)

    return make


@pytest.fixture
def staff_client(make_user) -> Callable[..., Client]:
    """A client signed in as a new staff member of ``role``; the one place staff sign in."""

    def signed_in_staff(role: str = Role.COORDINATOR, **kwargs) -> Client:
        return sign_in(make_user(role, **kwargs))

    return signed_in_staff


@pytest.fixture
def participant_client(make_user) -> Callable[..., Client]:
    """A client signed in as a new, verified participant."""

    def signed_in_participant(**kwargs) -> Client:
        return sign_in(make_user(Role.PARTICIPANT, **kwargs))

    return signed_in_participant


def _close_worker_connections(**kwargs) -> None:
    # The worker thread opens its own database connection; close it so teardown can drop the DB.
    connections.close_all()


@contextmanager
def celery_worker_running():
    """A real Celery worker in a thread, on this test process's own queue (see tests/settings.py).

    Needs the ``broker_queue`` fixture, and ``django_db(transaction=True)`` so that the worker's
    own connection sees the test's rows.
    """
    task_postrun.connect(_close_worker_connections, weak=False)
    try:
        with start_worker(
            celery_app,
            pool="solo",
            perform_ping_check=False,
            queues=[celery_app.conf.task_default_queue],
            loglevel="WARNING",
        ) as worker:
            yield worker
    finally:
        task_postrun.disconnect(_close_worker_connections)


@pytest.fixture
def broker_queue():
    """Tasks travel through the real broker (not run eagerly) on this process's emptied queue."""
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    queue = celery_app.conf.task_default_queue
    with celery_app.connection_for_write() as conn:
        conn.default_channel.queue_purge(queue)
    yield queue
    celery_app.conf.task_always_eager = eager


@pytest.fixture
def real_worker(broker_queue):
    with celery_worker_running() as worker:
        yield worker
