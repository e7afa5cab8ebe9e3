"""What an enrollment attempt costs the database: a refusal no more than it needs (one query for
every rule and the seats), a seat taken in a few statements, its messages in one insert; and the
prepared rule query answers each call with its own values, whatever shape ran before."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from journease.prepared import Param, prepared_row
from outbox.models import Notification
from participants.models import User
from sessions_app.message_kinds import SessionMessage
from sessions_app.models import Enrollment, GroupSession
from sessions_app.services import enrollment as service
from sessions_app.services.eligibility import EnrollmentRefused, enrollment_eligibility
from sessions_app.services.seats import seat_counts_for
from tests.factories import (
    ConsentDocumentFactory,
    EligibleParticipantFactory,
    EnrollmentFactory,
    GroupSessionFactory,
    ParticipantFactory,
    WaitlistEntryFactory,
)

pytestmark = pytest.mark.usefixtures("roles")


def _inserts_into(queries, model) -> list[str]:
    table = f'"{model._meta.db_table}"'
    return [q["sql"] for q in queries if q["sql"].startswith("INSERT") and table in q["sql"]]


def test_a_refusal_as_full_costs_one_query(django_assert_num_queries):
    session = GroupSessionFactory(capacity=1)
    EnrollmentFactory(session=session)
    person = EligibleParticipantFactory()
    with django_assert_num_queries(1), pytest.raises(EnrollmentRefused) as refused:
        service.enrollment_create(participant=person, session=session)
    assert refused.value.codes == ["full"]
    assert not Enrollment.objects.filter(participant=person).exists()


def test_a_refusal_for_a_rule_reads_the_rules_and_seats_at_once(django_assert_max_num_queries):
    """The rules and seats in one query; the screening's reason needs its own two reads."""
    session = GroupSessionFactory(capacity=1)
    EnrollmentFactory(session=session)
    person = ParticipantFactory()
    with django_assert_max_num_queries(3), pytest.raises(EnrollmentRefused) as refused:
        service.enrollment_create(participant=person, session=session)
    # A rule broken is the reason given, not the full session.
    assert refused.value.codes == ["screen_first", "consent"]


def test_a_seat_taken_plans_its_messages_in_one_insert():
    session = GroupSessionFactory()
    # As a request's user: nothing of the person read yet (their contact details).
    person = User.objects.get(pk=EligibleParticipantFactory().pk)
    ContentType.objects.get_for_model(Enrollment)  # read once per process, as a server does
    with CaptureQueriesContext(connection) as captured:
        enrollment = service.enrollment_create(participant=person, session=session)
    assert len(_inserts_into(captured.captured_queries, Notification)) == 1
    planned = set(
        Notification.objects.filter(subject_id=enrollment.pk).values_list("kind", flat=True)
    )
    assert {SessionMessage.ENROLLMENT_CONFIRMED, SessionMessage.REMINDER_SOON} <= planned
    # What a taken seat sends: the rules and seats, the contact details, the lock with the
    # seats read again under it (one round trip on PostgreSQL, two statements elsewhere), the
    # seat, its history and its messages (savepoints of the test aside).
    statements = [
        q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"].upper()
    ]
    assert len(statements) == (6 if connection.vendor == "postgresql" else 7)


def test_the_prepared_rules_answer_with_each_calls_values():
    """One shape of query, compiled once, asked for two people in turn: each gets their own."""
    session = GroupSessionFactory()
    eligible, unscreened = EligibleParticipantFactory(), ParticipantFactory()
    for _ in range(2):
        assert enrollment_eligibility(participant=eligible, session=session) == []
        codes = [r.code for r in enrollment_eligibility(participant=unscreened, session=session)]
        assert codes == ["screen_first", "consent"]


def test_a_new_consent_version_is_seen_by_the_prepared_query():
    session = GroupSessionFactory()
    person = EligibleParticipantFactory()
    assert enrollment_eligibility(participant=person, session=session) == []
    ConsentDocumentFactory(version=99)
    codes = [r.code for r in enrollment_eligibility(participant=person, session=session)]
    assert codes == ["consent"]


def test_seat_counts_say_full_while_people_wait_as_the_model_does():
    session = GroupSessionFactory(capacity=3)
    person = EligibleParticipantFactory()
    assert not seat_counts_for(person, session).is_full
    WaitlistEntryFactory(session=session)
    counted = seat_counts_for(person, session)
    assert counted.seats_left == 3
    assert counted.waitlist_count == 1
    assert counted.is_full
    assert not counted.holds_offer


def test_a_prepared_query_needs_every_value():
    def build():
        return GroupSession.objects.filter(pk=Param("session", GroupSession._meta.pk)).values("pk")

    session = GroupSessionFactory()
    row = prepared_row(("test", "needs every value"), build, {"session": session.pk})
    assert row == {"pk": session.pk}
    with pytest.raises(KeyError):
        prepared_row(("test", "needs every value"), build, {})
