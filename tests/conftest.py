"""Shared fixtures: roles, signed-in clients per role, and the gate for real-service tests."""

import os
from collections.abc import Callable
from functools import cache

import pytest
from django.conf import settings
from django.test import Client

from participants.models import Role, User
from participants.services.accounts import ensure_roles
from tests import factories


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


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def staff_client(make_user) -> Callable[..., Client]:
    """A client signed in as a new staff member of ``role``; the one place staff sign in."""

    def sign_in(role: str = Role.COORDINATOR, **kwargs) -> Client:
        return _signed_in(make_user(role, **kwargs))

    return sign_in


@pytest.fixture
def participant_client(make_user) -> Callable[..., Client]:
    """A client signed in as a new, verified participant."""

    def sign_in(**kwargs) -> Client:
        return _signed_in(make_user(Role.PARTICIPANT, **kwargs))

    return sign_in
