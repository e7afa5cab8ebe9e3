"""Queries compiled once are PostgreSQL prepared statements on each connection: the same rows as
the ORM's, one statement per call (the first prepares in the same round trip), and plain SQL
where a statement cannot be one."""

import datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import CharField, DateTimeField
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from journease import server_prepared
from journease.prepared import Param, prepared_instances
from sessions_app.models import GroupSession, SessionStatus
from tests.factories import GroupSessionFactory

pytestmark = [pytest.mark.django_db, pytest.mark.services("postgres")]


def _sessions_after():
    return (
        GroupSession.objects.filter(
            starts_at__gt=Param("after", DateTimeField()),
            status=Param("status", CharField()),
        )
        .select_related("room")
        .order_by("starts_at", "pk")
    )


def _read(key, after):
    values = {"after": after, "status": SessionStatus.PUBLISHED}
    return prepared_instances(key, _sessions_after, values)


def test_a_query_is_prepared_once_per_connection_and_answers_as_the_orm(request):
    key = ("test", request.node.name)
    now = timezone.now()
    sessions = [
        GroupSessionFactory(starts_at=now + datetime.timedelta(days=days)) for days in (1, 2, 3)
    ]
    GroupSessionFactory(starts_at=now + datetime.timedelta(days=4), status=SessionStatus.DRAFT)
    with CaptureQueriesContext(connection) as first:
        rows = _read(key, now)
    with CaptureQueriesContext(connection) as second:
        later = _read(key, now + datetime.timedelta(days=1, hours=1))
    assert [s.pk for s in rows] == [s.pk for s in sessions]
    assert [s.pk for s in later] == [s.pk for s in sessions[1:]]
    assert rows[0].room.name == sessions[0].room.name
    # One statement per call, the first one preparing; each still says what it reads.
    assert len(first) == len(second) == 1
    assert first[0]["sql"].startswith("PREPARE ")
    assert second[0]["sql"].startswith("EXECUTE ")
    assert '"sessions_app_groupsession"' in second[0]["sql"]


@pytest.mark.django_db(transaction=True)
def test_a_new_connection_prepares_again(request):
    key = ("test", request.node.name)
    session = GroupSessionFactory()
    before = session.starts_at - datetime.timedelta(minutes=1)
    assert [s.pk for s in _read(key, before)] == [session.pk]
    # What a connection prepared is gone with it (a reconnect after an error, a restart).
    connection.close()
    with CaptureQueriesContext(connection) as again:
        assert [s.pk for s in _read(key, before)] == [session.pk]
    assert again[0]["sql"].startswith("PREPARE ")


def test_after_a_failed_round_trip_the_connection_sends_the_sql_itself(request, monkeypatch):
    key = ("test", request.node.name)
    session = GroupSessionFactory()
    before = session.starts_at - datetime.timedelta(minutes=1)
    real = server_prepared._statement

    def broken(sql, params):
        statement = real(sql, params)
        return server_prepared._Statement(
            prepare_and_execute=statement.prepare_and_execute.replace("PREPARE", "PREPAR", 1),
            execute=statement.execute,
        )

    monkeypatch.setattr(server_prepared, "_statement", broken)
    with pytest.raises(DatabaseError), transaction.atomic():
        _read(key, before)
    with CaptureQueriesContext(connection) as plain:
        assert [s.pk for s in _read(key, before)] == [session.pk]
    assert plain[0]["sql"].startswith("SELECT ")


def test_constants_and_percent_signs_in_the_sql_keep_their_meaning(request):
    """The ORM's constants (a list of statuses) are typed by their Python type; a ``%`` the SQL
    holds (a prefix search) stays a ``%``."""
    key = ("test", request.node.name)
    circle = GroupSessionFactory(title="Circle 100% open")
    GroupSessionFactory(title="Circle 1000", status=SessionStatus.DRAFT)
    GroupSessionFactory(title="Other circle")

    def read(prefix):
        return prepared_instances(
            key,
            lambda: GroupSession.objects.filter(
                title__startswith=Param("prefix", CharField()),
                status__in=[SessionStatus.PUBLISHED, SessionStatus.DRAFT],
            ).order_by("pk"),
            {"prefix": prefix},
        )

    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert [s.pk for s in read("Circle 100%")] == [circle.pk]
            assert [s.pk for s in read("Circle 1_0")] == []
            assert [s.pk for s in read("Other")] != [circle.pk]
    assert all(query["sql"].startswith("EXECUTE ") for query in queries)


def test_statements_that_cannot_be_prepared_are_sent_as_sql():
    assert server_prepared._statement("SELECT %s", [object()]) is None  # a type not known
    assert server_prepared._statement("SELECT 1; SELECT %s", [1]) is None  # two statements
    assert server_prepared._statement("SELECT 1", []) is None  # nothing to prepare for
