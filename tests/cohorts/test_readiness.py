"""Before each dosing session of a cohort, every member's seat is checked again: a missed
preparation circle or a consent version published mid-cohort flags the seat for staff and tells
the member once; solving it clears the flag. Rescheduling a cohort's session reads its seats as
the program does (joining the program, its own preparation circle), and moving or cancelling one
session tells its members."""

import datetime
import html
import threading
import time

import pytest
from django.db import connection, connections
from django.template.loader import render_to_string
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from time_machine import travel

from cohorts.message_kinds import CohortMessage
from cohorts.selectors import cohort_sessions
from cohorts.services import membership, readiness
from journease.clinic_time import at_local
from outbox.models import Notification, NotificationChannel
from outbox.rendering import context_for
from participants.models import ConsentDocument, Role
from participants.services import consent
from sessions_app.message_kinds import SessionMessage
from sessions_app.models import Enrollment, EnrollmentAction, EnrollmentEvent, EnrollmentStatus
from sessions_app.services import attendance, scheduling
from tests.auth import sign_in
from tests.cohorts.conftest import CLOCK, RIDE_HOME, START
from tests.factories import (
    ConsentDocumentFactory,
    ConsentSignatureFactory,
    EligibleParticipantFactory,
    StaffFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.clock(CLOCK)]

KIND = CohortMessage.COHORT_DOSING_NOT_READY


def day(offset: int, hour: int, minute: int = 0) -> datetime.datetime:
    """An instant ``offset`` clinic days after the cohort's start, at a local time."""
    return at_local(START + datetime.timedelta(days=offset), datetime.time(hour, minute))


AFTER_PREP = day(1, 9)  # the morning after the preparation circle; the first dosing on day 7


def join(cohort, count: int = 1):
    people = [EligibleParticipantFactory() for _ in range(count)]
    for person in people:
        membership.cohort_enroll(cohort=cohort, participant=person, **RIDE_HOME)
    return people


def sessions_by_kind(cohort) -> dict[str, list]:
    found: dict[str, list] = {}
    for session in cohort_sessions(cohort):
        found.setdefault(session.session_type.kind, []).append(session)
    return found


def seat(person, session) -> Enrollment:
    return Enrollment.objects.get(participant=person, session=session)


def take_attendance(session, marks: dict, by, now=None):
    attendance.attendance_record(
        session=session,
        marks={seat(person, session).pk: status for person, status in marks.items()},
        by=by,
        now=now or session.starts_at + datetime.timedelta(hours=3),
    )


def told(person) -> list[Notification]:
    return list(
        Notification.objects.filter(
            recipient=person, kind=KIND, channel=NotificationChannel.EMAIL
        ).order_by("pk")
    )


def test_missed_preparation_flags_the_dosing_seat_and_tells_the_member_once(
    make_cohort, facilitator, roles
):
    cohort = make_cohort()
    missed, came = join(cohort, 2)
    kinds = sessions_by_kind(cohort)
    prep, first_dosing, second_dosing = kinds["preparation"][0], *kinds["dosing"]
    take_attendance(
        prep, {missed: EnrollmentStatus.NO_SHOW, came: EnrollmentStatus.ATTENDED}, facilitator
    )

    assert readiness.cohort_dosing_readiness_check(now=AFTER_PREP) == 1

    flagged = seat(missed, first_dosing)
    assert flagged.needs_review
    assert "preparation circle" in flagged.review_note
    assert EnrollmentEvent.objects.filter(
        enrollment=flagged, action=EnrollmentAction.FLAGGED
    ).exists()
    assert not seat(came, first_dosing).needs_review
    # The second dosing session is weeks away: checked in its own week.
    assert not seat(missed, second_dosing).needs_review
    [message] = told(missed)
    assert message.subject_id == flagged.pk
    assert message.context["problems"] == ["prerequisite"]
    assert message.context["path"] == f"/programs/{cohort.pk}/"
    assert told(came) == []

    # Every quarter hour again: nothing new to say, nothing new recorded.
    for minutes in (15, 30, 45):
        later = AFTER_PREP + datetime.timedelta(minutes=minutes)
        assert readiness.cohort_dosing_readiness_check(now=later) == 0
    assert len(told(missed)) == 1
    assert (
        EnrollmentEvent.objects.filter(enrollment=flagged, action=EnrollmentAction.FLAGGED).count()
        == 1
    )


def test_recording_the_attendance_afterwards_clears_the_flag(make_cohort, facilitator, roles):
    cohort = make_cohort()
    [person] = join(cohort)
    kinds = sessions_by_kind(cohort)
    prep, dosing = kinds["preparation"][0], kinds["dosing"][0]
    take_attendance(prep, {person: EnrollmentStatus.NO_SHOW}, facilitator)
    readiness.cohort_dosing_readiness_check(now=AFTER_PREP)
    assert seat(person, dosing).needs_review

    # Staff correct the record: they did come.
    take_attendance(prep, {person: EnrollmentStatus.ATTENDED}, facilitator, now=AFTER_PREP)
    readiness.cohort_dosing_readiness_check(now=AFTER_PREP + datetime.timedelta(minutes=15))

    cleared = seat(person, dosing)
    assert not cleared.needs_review
    assert cleared.review_note == ""
    assert len(told(person)) == 1


def test_attended_preparation_is_ready(make_cohort, facilitator, roles):
    cohort = make_cohort()
    [person] = join(cohort)
    kinds = sessions_by_kind(cohort)
    take_attendance(kinds["preparation"][0], {person: EnrollmentStatus.ATTENDED}, facilitator)

    assert readiness.cohort_dosing_readiness_check(now=AFTER_PREP) == 0
    assert not seat(person, kinds["dosing"][0]).needs_review
    assert told(person) == []


def test_a_preparation_not_yet_marked_is_no_problem_until_a_no_show_is_recorded(
    make_cohort, facilitator, roles
):
    """Nobody is told they missed a meeting whose attendance the staff have not taken yet."""
    cohort = make_cohort()
    [person] = join(cohort)
    kinds = sessions_by_kind(cohort)

    assert readiness.cohort_dosing_readiness_check(now=AFTER_PREP) == 0
    assert not seat(person, kinds["dosing"][0]).needs_review
    assert told(person) == []

    take_attendance(kinds["preparation"][0], {person: EnrollmentStatus.NO_SHOW}, facilitator)
    readiness.cohort_dosing_readiness_check(now=AFTER_PREP)
    assert seat(person, kinds["dosing"][0]).needs_review
    assert len(told(person)) == 1


def test_preparation_still_ahead_meets_the_prerequisite(make_cohort, roles):
    cohort = make_cohort()
    [person] = join(cohort)
    dosing = sessions_by_kind(cohort)["dosing"][0]
    # A day before the preparation circle, the first dosing session is within the week ahead.
    before_prep = day(-1, 12)
    assert dosing.starts_at - before_prep < readiness.WINDOW

    assert readiness.cohort_dosing_readiness_check(now=before_prep) == 0
    assert not seat(person, dosing).needs_review
    assert told(person) == []


def test_consent_published_mid_cohort_flags_tells_and_clears_once_signed(
    make_cohort, facilitator, roles
):
    cohort = make_cohort()
    [person] = join(cohort)
    kinds = sessions_by_kind(cohort)
    dosing = kinds["dosing"][0]
    take_attendance(kinds["preparation"][0], {person: EnrollmentStatus.ATTENDED}, facilitator)
    new_version = ConsentDocumentFactory(published_at=AFTER_PREP - datetime.timedelta(hours=1))

    assert readiness.cohort_dosing_readiness_check(now=AFTER_PREP) == 1
    flagged = seat(person, dosing)
    assert flagged.needs_review
    assert "consent" in flagged.review_note
    [message] = told(person)
    assert message.context["problems"] == [f"consent:{new_version.version}"]
    assert message.context["path"] == "/me/consent/"
    assert readiness.cohort_dosing_readiness_check(now=AFTER_PREP) == 0

    ConsentSignatureFactory(participant=person, document=new_version, signed_at=AFTER_PREP)
    assert readiness.cohort_dosing_readiness_check(now=AFTER_PREP) == 0
    assert not seat(person, dosing).needs_review

    # Yet another version before the session is a new problem: told again.
    ConsentDocumentFactory(published_at=day(3, 8))
    assert readiness.cohort_dosing_readiness_check(now=day(3, 9)) == 1
    assert seat(person, dosing).needs_review
    assert len(told(person)) == 2


def test_a_spanish_signature_counts_and_a_new_english_version_still_flags_the_seat(
    make_cohort, facilitator, screening_defaults
):
    cohort = make_cohort()
    person = EligibleParticipantFactory(language="es")
    person.consent_signatures.all().delete()  # the factory signed the clinic's text
    spanish = ConsentDocument.objects.get(version=1, language="es")
    consent.consent_sign(
        participant=person,
        document=spanish,
        typed_name=person.get_full_name(),
        agreed=True,
        ip_address=None,
        user_agent="test",
    )
    membership.cohort_enroll(cohort=cohort, participant=person, **RIDE_HOME)
    kinds = sessions_by_kind(cohort)
    dosing = kinds["dosing"][0]
    take_attendance(kinds["preparation"][0], {person: EnrollmentStatus.ATTENDED}, facilitator)
    assert readiness.cohort_dosing_readiness_check(now=AFTER_PREP) == 0

    # A Spanish text ahead of its English version is not yet a version anyone must sign.
    ConsentDocumentFactory(language="es", published_at=AFTER_PREP - datetime.timedelta(hours=2))
    assert readiness.cohort_dosing_readiness_check(now=AFTER_PREP) == 0
    assert not seat(person, dosing).needs_review

    # The clinic's new version, not yet in Spanish, is one: flagged, and told once.
    new_version = ConsentDocumentFactory(published_at=AFTER_PREP - datetime.timedelta(hours=1))
    assert readiness.cohort_dosing_readiness_check(now=AFTER_PREP) == 1
    assert seat(person, dosing).needs_review
    [message] = told(person)
    assert message.context["problems"] == [f"consent:{new_version.version}"]

    ConsentSignatureFactory(participant=person, document=new_version, signed_at=AFTER_PREP)
    assert readiness.cohort_dosing_readiness_check(now=AFTER_PREP) == 0
    assert not seat(person, dosing).needs_review


def test_the_message_says_what_to_do_in_neutral_words(make_cohort, facilitator, roles):
    cohort = make_cohort()
    [person] = join(cohort)
    kinds = sessions_by_kind(cohort)
    take_attendance(kinds["preparation"][0], {person: EnrollmentStatus.NO_SHOW}, facilitator)
    ConsentDocumentFactory(published_at=AFTER_PREP - datetime.timedelta(hours=1))
    readiness.cohort_dosing_readiness_check(now=AFTER_PREP)
    [message] = told(person)

    context = context_for(message, sent_at=AFTER_PREP)
    assert sorted(context["problems"]) == ["consent", "prerequisite"]
    assert context["program_name"] == "Group program"
    base = f"emails/notifications/{KIND}"
    subject = render_to_string(f"{base}_subject.txt", context)
    text = render_to_string(f"{base}.txt", context)
    sms = render_to_string(f"sms/{KIND}.txt", context)
    page = render_to_string(f"{base}.html", context)
    assert "Sign the consent" in page and "contact the clinic" in page
    assert "sign it before your session" in text
    assert "contact the clinic" in text
    assert context["link"].endswith("/me/consent/")
    for words in (subject, sms):
        assert "ketamine" not in words.lower()
        assert "dosing" not in words.lower()


def test_cancelled_session_and_former_members_are_left_alone(make_cohort, facilitator, roles):
    cohort = make_cohort()
    stays, leaves = join(cohort, 2)
    kinds = sessions_by_kind(cohort)
    prep, first_dosing, second_dosing = kinds["preparation"][0], *kinds["dosing"]
    take_attendance(
        prep, {stays: EnrollmentStatus.NO_SHOW, leaves: EnrollmentStatus.NO_SHOW}, facilitator
    )
    member = cohort.members.get(participant=leaves)
    membership.cohort_leave(member=member, by=leaves, now=AFTER_PREP)
    scheduling.session_cancel(
        session=second_dosing, reason="Room closed", by=facilitator, now=AFTER_PREP
    )

    # The week before the second dosing session, which was cancelled: nothing to check.
    assert readiness.cohort_dosing_readiness_check(now=day(14, 9)) == 0
    assert not seat(stays, second_dosing).needs_review
    # The first dosing session: only the member who stays.
    assert readiness.cohort_dosing_readiness_check(now=AFTER_PREP) == 1
    assert told(leaves) == []
    assert not Enrollment.objects.filter(participant=leaves, needs_review=True).exists()
    assert seat(stays, first_dosing).needs_review


def test_the_check_runs_a_fixed_number_of_queries_per_seat(make_cohort, facilitator, roles):
    cohort = make_cohort()
    people = join(cohort, 6)
    prep = sessions_by_kind(cohort)["preparation"][0]
    take_attendance(prep, dict.fromkeys(people, EnrollmentStatus.NO_SHOW), facilitator)

    def measure(now) -> int:
        with CaptureQueriesContext(connection) as queries:
            readiness.cohort_dosing_readiness_check(now=now)
        return len(queries)

    # All six flagged and told; then a quiet run that changes nothing.
    flagging = measure(AFTER_PREP)
    quiet = measure(AFTER_PREP + datetime.timedelta(minutes=15))
    assert len(Notification.objects.filter(kind=KIND)) >= len(people)
    # The rules are read per seat through the sessions app's eligibility (eight queries each:
    # screening, consent, prerequisite, interval, overlap); flagging and telling add five (the
    # seat, its event, the message). The rest (sessions, seats, the program hook, what was told,
    # the consent version) is nine in all, however many members. Measured: 2 seats 35/25,
    # 6 seats 87/57.
    assert quiet <= 9 + 8 * len(people), quiet
    assert flagging <= 9 + 13 * len(people), flagging


# --- Rescheduling and cancelling a cohort's session ----------------------------------------------


def test_rescheduling_a_cohort_dosing_session_reads_its_seats_as_the_program_does(
    make_cohort, facilitator, roles
):
    cohort = make_cohort()
    people = join(cohort, 6)
    kinds = sessions_by_kind(cohort)
    prep, dosing, second = kinds["preparation"][0], *kinds["dosing"]
    hours = dosing.ends_at - dosing.starts_at

    # The second dosing session a day later: every rule still holds (today's code flagged every
    # member: "join the program", and the preparation circle not yet attended).
    later = second.starts_at + datetime.timedelta(days=1)
    scheduling.session_reschedule(
        session=second, starts_at=later, ends_at=later + hours, by=facilitator
    )
    assert not Enrollment.objects.filter(session=second, needs_review=True).exists()

    # The first a day earlier (a day later would leave 13 days to the second: rightly flagged).
    earlier = dosing.starts_at - datetime.timedelta(days=1)
    scheduling.session_reschedule(
        session=dosing, starts_at=earlier, ends_at=earlier + hours, by=facilitator
    )
    assert not Enrollment.objects.filter(session=dosing, needs_review=True).exists()

    # Before the cohort's preparation circle: it no longer meets the prerequisite.
    before_prep = prep.starts_at - datetime.timedelta(days=1)
    scheduling.session_reschedule(
        session=dosing, starts_at=before_prep, ends_at=before_prep + hours, by=facilitator
    )
    for person in people:
        flagged = seat(person, dosing)
        assert flagged.needs_review
        assert "preparation circle" in flagged.review_note
        assert "program" not in flagged.review_note  # not "join the program" (closed_group)


@pytest.mark.parametrize("change", ["reschedule", "cancel"])
def test_moving_or_cancelling_one_cohort_session_tells_its_members(
    make_cohort, facilitator, roles, change
):
    cohort = make_cohort()
    people = join(cohort, 6)
    integration = sessions_by_kind(cohort)["integration"][0]
    if change == "reschedule":
        later = integration.starts_at + datetime.timedelta(hours=1)
        scheduling.session_reschedule(
            session=integration,
            starts_at=later,
            ends_at=later + (integration.ends_at - integration.starts_at),
            by=facilitator,
        )
        kind = SessionMessage.SESSION_RESCHEDULED
    else:
        scheduling.session_cancel(session=integration, reason="Facilitator ill", by=facilitator)
        kind = SessionMessage.SESSION_CANCELLED
    for person in people:
        assert Notification.objects.filter(
            recipient=person, kind=kind, subject_id=seat(person, integration).pk
        ).exists()
    # Only that session's seats hear of it.
    assert Notification.objects.filter(kind=kind).count() == len(
        Notification.objects.filter(
            kind=kind, subject_id__in=[seat(person, integration).pk for person in people]
        )
    )


# --- What staff and the member see -------------------------------------------------------------


def test_the_grid_and_the_members_page_show_a_flagged_seat(
    make_cohort, facilitator, roles, django_assert_max_num_queries
):
    cohort = make_cohort()
    missed, came = join(cohort, 2)
    kinds = sessions_by_kind(cohort)
    take_attendance(
        kinds["preparation"][0],
        {missed: EnrollmentStatus.NO_SHOW, came: EnrollmentStatus.ATTENDED},
        facilitator,
    )
    readiness.cohort_dosing_readiness_check(now=AFTER_PREP)
    note = seat(missed, kinds["dosing"][0]).review_note

    staff = sign_in(StaffFactory(role=Role.COORDINATOR))
    with django_assert_max_num_queries(15):  # the flags read no more; the waitlist is one
        grid = staff.get(reverse("cohorts_staff:cohort_detail", args=[cohort.pk]))
    page = html.unescape(grid.content.decode())
    assert "1 seat needs review" in page
    assert page.count("Needs review:") == 1
    assert note in page

    with travel(AFTER_PREP):
        member_page = sign_in(missed)
        with django_assert_max_num_queries(15):
            response = member_page.get(reverse("cohorts:cohort_detail", args=[cohort.pk]))
        mine = html.unescape(response.content.decode())
        assert "Before your meeting on" in mine
        assert note in mine
        assert "contact the clinic" in mine
        others = html.unescape(
            sign_in(came).get(reverse("cohorts:cohort_detail", args=[cohort.pk])).content.decode()
        )
        assert "Before your meeting on" not in others


def test_signing_the_consent_or_recording_attendance_checks_the_seat_at_once(
    make_cohort, facilitator, roles, django_capture_on_commit_callbacks
):
    cohort = make_cohort()
    [person] = join(cohort)
    kinds = sessions_by_kind(cohort)
    prep, dosing = kinds["preparation"][0], kinds["dosing"][0]
    take_attendance(prep, {person: EnrollmentStatus.NO_SHOW}, facilitator)
    new_version = ConsentDocumentFactory(published_at=AFTER_PREP - datetime.timedelta(hours=1))
    readiness.cohort_dosing_readiness_check(now=AFTER_PREP)
    assert seat(person, dosing).needs_review

    with django_capture_on_commit_callbacks(execute=True):
        consent.consent_sign(
            participant=person,
            document=new_version,
            typed_name=person.get_full_name(),
            agreed=True,
            ip_address=None,
            user_agent="test",
            now=AFTER_PREP,
        )
    still = seat(person, dosing)
    assert still.needs_review  # the preparation circle is still missed
    assert "consent" not in still.review_note

    with django_capture_on_commit_callbacks(execute=True):
        take_attendance(prep, {person: EnrollmentStatus.ATTENDED}, facilitator, now=AFTER_PREP)
    assert not seat(person, dosing).needs_review


@pytest.mark.services("postgres")
@pytest.mark.django_db(transaction=True)
def test_checks_running_at_once_tell_each_member_once(make_cohort, facilitator, roles, monkeypatch):
    """Overlapping runs (a slow beat run, the next one, a member's own check after signing) are
    serialized on the dosing session's lock: whoever comes second sees what the first told."""
    cohort = make_cohort()
    people = join(cohort, 8)
    prep = sessions_by_kind(cohort)["preparation"][0]
    # Attended (here the commit runs the attendance receiver's check: nothing to flag), then a
    # new consent version, which no signal announces: the quarter-hour runs find it.
    take_attendance(prep, dict.fromkeys(people, EnrollmentStatus.ATTENDED), facilitator)
    ConsentDocumentFactory(published_at=AFTER_PREP - datetime.timedelta(hours=1))
    assert not Enrollment.objects.filter(needs_review=True).exists()
    runs = 8
    # Widen the window between reading the seats and writing them, so that the runs overlap.
    told_before = readiness._told

    def slow_told(seats):
        time.sleep(0.2)
        return told_before(seats)

    monkeypatch.setattr(readiness, "_told", slow_told)
    barrier = threading.Barrier(runs)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=30)
            readiness.cohort_dosing_readiness_check(
                now=AFTER_PREP,
                participant_id=people[0].pk if index % 2 else None,
            )
        except BaseException as error:  # noqa: BLE001 - any error fails the test below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(runs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    dosing = sessions_by_kind(cohort)["dosing"][0]
    for person in people:
        assert len(told(person)) == 1
        flagged = seat(person, dosing)
        assert flagged.needs_review
        events = EnrollmentEvent.objects.filter(enrollment=flagged, action=EnrollmentAction.FLAGGED)
        assert events.count() == 1
