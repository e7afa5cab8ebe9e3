"""Group outcomes as DESIGN.md defines them, on a small data set worked out by hand; the
clinician's timeline; who may see them; and their query budgets on a year of data."""

import csv
import datetime
import io

import pytest
import time_machine
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from followup.message_kinds import FollowUpMessage
from followup.models import CheckIn
from followup.outcomes import outcomes_report
from followup.services.checkins import PROMPT_KIND_FOR, CheckInAnswers, checkin_complete
from followup.timeline import participant_progress
from outbox.models import Notification, NotificationStatus
from outbox.services.delivery import notifications_claim, notifications_deliver
from participants.models import Role, Screening, User
from sessions_app.models import (
    Enrollment,
    EnrollmentStatus,
    GroupSession,
    SessionStatus,
)
from sessions_app.services.attendance import attendance_record
from tests.auth import AUDIT_QUERIES
from tests.factories import (
    ApprovedScreeningFactory,
    CheckInFactory,
    DosingSessionTypeFactory,
    EnrollmentFactory,
    GroupSessionFactory,
    ParticipantFactory,
    RoomFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("screening_defaults")]

NOW = timezone.make_aware(datetime.datetime(2025, 7, 1, 12))


def denver(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


def dosing(session_type, day: datetime.date) -> GroupSession:
    start = denver(day.year, day.month, day.day, 9)
    return GroupSessionFactory(
        session_type=session_type,
        title=session_type.name,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=3),
        status=SessionStatus.COMPLETED,
    )


def approved(participant, decided: datetime.datetime, phq9: int, gad7: int) -> Screening:
    return ApprovedScreeningFactory(
        participant=participant,
        submitted_at=decided - datetime.timedelta(days=1),
        decided_at=decided,
        phq9_total=phq9,
        gad7_total=gad7,
    )


def prompt(
    checkin: CheckIn,
    status: str = NotificationStatus.SENT,
    *,
    kind: str | None = None,
    channel: str = "email",
) -> Notification:
    """The outbox row of the check-in's prompt, due (and, when sent, sent) as it opens."""
    return Notification.objects.create(
        recipient=checkin.participant,
        kind=kind or PROMPT_KIND_FOR[checkin.kind],
        channel=channel,
        subject_type=ContentType.objects.get_for_model(CheckIn),
        subject_id=checkin.pk,
        due_at=checkin.opens_at,
        status=status,
        sent_at=checkin.opens_at if status == NotificationStatus.SENT else None,
    )


def attended(participant, session, answered: dict, *, prompted: bool = True) -> Enrollment:
    """A seat with its four check-ins opened, each with its prompt sent (unless ``prompted`` is
    false); ``answered`` maps kind -> (when, phq9, gad7)."""
    seat = EnrollmentFactory(
        participant=participant, session=session, status=EnrollmentStatus.ATTENDED
    )
    local_end = timezone.localtime(session.ends_at).date()
    for kind, days in (("self_compassion", 1), ("somatic", 3), ("week", 7), ("month", 30)):
        day = local_end + datetime.timedelta(days=days)
        when, phq9, gad7 = answered.get(kind, (None, None, None))
        checkin = CheckIn.objects.create(
            participant=participant,
            enrollment=seat,
            kind=kind,
            opens_at=denver(day.year, day.month, day.day, 10),
            completed_at=when,
            mood=5 if when else None,
            phq9_total=phq9,
            gad7_total=gad7,
        )
        if prompted:
            prompt(checkin)
    return seat


@pytest.fixture
def hand_data():
    """Three dosing sessions, five participants who attended (one more who did not come).

    S1 type A 6 Mar 2025, S2 type A 3 Apr 2025, S3 type B 10 Apr 2025, each 9:00-12:00.
    P1 baseline 20/14 (approved 1 Mar); S1 and S2; latest = S2 week (10 Apr) 8/6, the newest
       answer after the last session's end (S1's week on 13 Mar is before S2, not "after").
    P2 baseline 12/9 (approved 2 Mar; a later approval on 1 May with PHQ-9 3 is after the first
       session: ignored); S1; week 13 Mar 7/5; month answered 10 Jun = 96 days after S1: outside
       the 90 days, so latest = 7/5.
    P3 baseline 8/10 (below 10: no response/remission); S1; week 3/4.
    P4 baseline 15/12 (approved 1 Apr); S3; week 4/5.
    P6 approved only on 20 Apr, after S3: no baseline; S3; week 9/7.
    P5 was a no-show at S1: not counted anywhere.
    """
    type_a = DosingSessionTypeFactory(name="Dosing A")
    type_b = DosingSessionTypeFactory(name="Dosing B")
    s1 = dosing(type_a, datetime.date(2025, 3, 6))
    s2 = dosing(type_a, datetime.date(2025, 4, 3))
    s3 = dosing(type_b, datetime.date(2025, 4, 10))
    p1, p2, p3, p4, p5, p6 = (ParticipantFactory() for _ in range(6))
    approved(p1, denver(2025, 3, 1, 12), 20, 14)
    approved(p2, denver(2025, 3, 2, 12), 12, 9)
    approved(p2, denver(2025, 5, 1, 12), 3, 2)
    approved(p3, denver(2025, 3, 3, 12), 8, 10)
    approved(p4, denver(2025, 4, 1, 12), 15, 12)
    approved(p6, denver(2025, 4, 20, 12), 18, 15)
    attended(
        p1,
        s1,
        {
            "self_compassion": (denver(2025, 3, 7, 11), None, None),
            "week": (denver(2025, 3, 13, 11), 16, 12),
            "month": (denver(2025, 4, 5, 11), 12, 10),
        },
    )
    attended(p1, s2, {"week": (denver(2025, 4, 10, 11), 8, 6)})
    attended(
        p2,
        s1,
        {
            "week": (denver(2025, 3, 13, 11), 7, 5),
            "month": (denver(2025, 6, 10, 11), 2, 1),
        },
    )
    attended(p3, s1, {"week": (denver(2025, 3, 14, 11), 3, 4)})
    attended(p4, s3, {"week": (denver(2025, 4, 17, 11), 4, 5)})
    attended(p6, s3, {"week": (denver(2025, 4, 17, 11), 9, 7)})
    EnrollmentFactory(participant=p5, session=s1, status=EnrollmentStatus.NO_SHOW)
    return {"s1": s1, "s2": s2, "s3": s3}


def test_outcome_figures_match_the_hand_computed_data_set(hand_data):
    report = outcomes_report(now=NOW)
    by_session = {group.key: group for group in report.by_session}
    s1 = by_session[str(hand_data["s1"].pk)]
    # S1: P1 (20->8), P2 (12->7), P3 (8->3).
    assert s1.participant_count == 3
    assert s1.phq9_baseline_mean == pytest.approx((20 + 12 + 8) / 3)  # 13.33
    assert s1.phq9_latest_mean == pytest.approx((8 + 7 + 3) / 3)  # 6.0
    assert s1.phq9_change_mean == pytest.approx((-12 - 5 - 5) / 3)  # -7.33
    # GAD-7: P1 14->6, P2 9->5, P3 10->4.
    assert s1.gad7_change_mean == pytest.approx((-8 - 4 - 6) / 3)  # -6.0
    # Eligible: P1 and P2 (baseline >= 10). P1: 8 <= 20/2 responds; P2: 7 > 12/2 does not.
    assert (s1.eligible_count, s1.responders, s1.remissions) == (2, 1, 0)
    # Check-ins completed / prompts sent: P1 3/4 + P2 2/4 + P3 1/4 = 6/12.
    assert (s1.checkins_completed, s1.prompts_sent) == (6, 12)
    assert s1.checkin_response_rate == pytest.approx(0.5)

    s3 = by_session[str(hand_data["s3"].pk)]
    # S3: P4 (15->4) responds (4 <= 7.5) and remits (4 < 5); P6 has no baseline.
    assert s3.participant_count == 2 and s3.phq9_pairs == 1
    assert s3.phq9_change_mean == pytest.approx(-11)
    assert (s3.eligible_count, s3.responders, s3.remissions) == (1, 1, 1)
    assert s3.checkin_response_rate == pytest.approx(2 / 8)

    by_type = {group.label: group for group in report.by_session_type}
    # Type A = S1 + S2: P1 counted once; check-ins 3 + 1 (P1 at S2) + 2 + 1 = 7 of 16.
    assert by_type["Dosing A"].participant_count == 3
    assert by_type["Dosing A"].phq9_change_mean == pytest.approx(-22 / 3)
    assert (by_type["Dosing A"].checkins_completed, by_type["Dosing A"].prompts_sent) == (7, 16)

    by_month = {group.key: group for group in report.by_month}
    april = by_month["2025-04"]
    # April = S2 + S3: P1 (20->8), P4 (15->4), P6 (no baseline).
    assert april.participant_count == 3
    assert april.phq9_baseline_mean == pytest.approx((20 + 15) / 2)  # 17.5
    assert april.phq9_change_mean == pytest.approx((-12 - 11) / 2)  # -11.5
    assert april.gad7_change_mean == pytest.approx((-8 - 7) / 2)  # -7.5
    assert (april.eligible_count, april.responders, april.remissions) == (2, 2, 1)
    assert april.checkin_response_rate == pytest.approx(3 / 12)  # 0.25

    overall = report.overall
    # Everyone: pairs P1, P2, P3, P4: change (-12 - 5 - 5 - 11) / 4 = -8.25.
    assert overall.participant_count == 5
    assert overall.phq9_change_mean == pytest.approx(-8.25)
    assert overall.response_rate == pytest.approx(2 / 3)  # P1, P4 of P1, P2, P4
    assert overall.remission_rate == pytest.approx(1 / 3)  # P4
    assert overall.checkin_response_rate == pytest.approx(9 / 24)  # 0.375


def test_prompts_sent_after_the_reports_moment_do_not_count(hand_data):
    # On 20 Mar, S1's month prompts (sent 5 Apr) have not been sent yet.
    report = outcomes_report(now=denver(2025, 3, 20, 12))
    s1 = next(group for group in report.by_session if group.key == str(hand_data["s1"].pk))
    # P1: self-compassion, somatic, week prompted (2 completed); P2: 3 prompted, 1 completed;
    # P3: 3 prompted, 1 completed.
    assert (s1.checkins_completed, s1.prompts_sent) == (4, 9)


# --- Check-in response rate: check-ins completed ÷ check-in prompts sent -------------------------


def checkins_of(seat: Enrollment) -> list[CheckIn]:
    """The seat's self-compassion, somatic, week and month check-ins, in that order."""
    return list(CheckIn.objects.filter(enrollment=seat).order_by("opens_at"))


def test_checkins_of_someone_who_turned_prompts_off_are_not_in_the_rate():
    """Through the real services: attendance plans the prompts, the outbox sends them."""
    session = dosing(DosingSessionTypeFactory(), datetime.date(2025, 3, 6))
    prompted = ParticipantFactory()
    unprompted = ParticipantFactory(profile__integration_prompts=False)
    seats = [EnrollmentFactory(participant=p, session=session) for p in (prompted, unprompted)]
    answers = CheckInAnswers(mood=6, reflection="", practices=[], answers={}, wants_contact=False)
    with time_machine.travel(denver(2025, 3, 6, 12, 5), tick=False) as clock:
        attendance_record(
            session=session, marks={seat.pk: EnrollmentStatus.ATTENDED for seat in seats}
        )
        for day in (7, 9):  # the self-compassion (+1) and somatic (+3) prompts, at 10:00
            clock.move_to(denver(2025, 3, day, 10, 1))
            notifications_deliver(ids=notifications_claim())
        clock.move_to(denver(2025, 3, 10, 12))
        # The prompted participant completes one of two; the other completes both from their
        # pages, although no prompt was ever sent to them.
        checkin_complete(checkin=checkins_of(seats[0])[0], answers=answers)
        for checkin in checkins_of(seats[1])[:2]:
            checkin_complete(checkin=checkin, answers=answers)
        report = outcomes_report()
    assert not Notification.objects.filter(recipient=unprompted).exists()
    assert report.overall.checkin_response_rate == pytest.approx(1 / 2)
    assert (report.overall.checkins_completed, report.overall.prompts_sent) == (1, 2)


@pytest.mark.parametrize(
    "status",
    [
        NotificationStatus.PENDING,
        NotificationStatus.SENDING,
        NotificationStatus.CANCELLED,
        NotificationStatus.SKIPPED,
        NotificationStatus.FAILED,
    ],
)
def test_a_checkin_whose_prompt_was_not_sent_is_not_in_the_rate(status):
    session = dosing(DosingSessionTypeFactory(), datetime.date(2025, 3, 6))
    answered = {
        "self_compassion": (denver(2025, 3, 7, 11), None, None),
        "somatic": (denver(2025, 3, 9, 11), None, None),
    }
    seat = attended(ParticipantFactory(), session, answered, prompted=False)
    compassion, somatic, week, month = checkins_of(seat)
    prompt(compassion)  # sent and completed: in both
    prompt(somatic, status)  # opened and completed, but its prompt not sent: in neither
    prompt(week, status)  # opened, not completed, prompt not sent: in neither
    # The month check-in has no prompt at all (as for someone who turned prompts off).
    report = outcomes_report(now=NOW)  # every check-in has opened by 1 Jul
    assert report.overall.checkin_response_rate == pytest.approx(1.0)
    assert (report.overall.checkins_completed, report.overall.prompts_sent) == (1, 1)


def test_a_prompt_counts_once_on_two_channels_and_a_reminder_is_not_a_prompt():
    session = dosing(DosingSessionTypeFactory(), datetime.date(2025, 3, 6))
    seat = attended(ParticipantFactory(), session, {}, prompted=False)
    compassion, somatic, week, month = checkins_of(seat)
    prompt(compassion)
    prompt(compassion, channel="sms")  # the same prompt by text message too
    prompt(week, NotificationStatus.FAILED)
    prompt(week, kind=FollowUpMessage.CHECKIN_NUDGE)  # reminded, but the prompt never went
    report = outcomes_report(now=NOW)
    assert report.overall.checkin_response_rate == pytest.approx(0.0)
    assert (report.overall.checkins_completed, report.overall.prompts_sent) == (0, 1)


def test_two_completed_of_three_prompts_sent_show_as_67_percent(staff_client):
    session = dosing(DosingSessionTypeFactory(name="Dosing D"), datetime.date(2025, 3, 6))
    answered = {
        "self_compassion": (denver(2025, 3, 7, 11), None, None),
        "week": (denver(2025, 3, 13, 11), 9, 7),
    }
    seat = attended(ParticipantFactory(), session, answered, prompted=False)
    compassion, somatic, week, month = checkins_of(seat)
    for checkin in (compassion, somatic, week):
        prompt(checkin)
    prompt(month, NotificationStatus.PENDING)  # opened on 5 Apr; its prompt not sent yet
    with time_machine.travel(denver(2025, 4, 7, 12), tick=True):
        client = staff_client(Role.CLINICIAN)
        html = client.get(reverse("followup:outcomes")).content.decode()
        body = client.get(reverse("followup:outcomes_csv")).content.decode()
    assert "2/3 <span" in html and "(67%)" in html
    assert "check-ins completed ÷ check-in prompts sent" in html
    overall = next(csv.DictReader(io.StringIO(body)))
    assert overall["grouping"] == "all"
    assert overall["checkin_prompts_sent"] == "3"
    assert overall["checkins_completed_of_prompts_sent"] == "2"
    assert overall["checkin_response_rate"] == "0.67"


def test_csv_export_has_one_row_per_group_and_no_names(staff_client, hand_data):
    client = staff_client(Role.CLINICIAN)
    response = client.get(reverse("followup:outcomes_csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    # 1 overall + 3 sessions + 2 types + 2 months.
    assert [row["grouping"] for row in rows].count("session") == 3
    assert len(rows) == 8
    overall = rows[0]
    assert overall["grouping"] == "all"
    assert overall["participants"] == "5"
    assert overall["phq9_change_mean"] == "-8.25"
    body = response.content.decode()
    for person in User.objects.filter(enrollments__isnull=False):
        assert person.last_name not in body and person.email not in body


def test_outcomes_page_shows_a_chart_and_the_tables(staff_client, hand_data):
    client = staff_client(Role.CLINICIAN)
    html = client.get(reverse("followup:outcomes")).content.decode()
    assert "<svg" in html and "chart-bar bar-phq9-latest" in html
    assert "Per session type" in html and "Dosing A" in html
    assert "20.0 → 8.0 (1)" in html  # S2: P1's baseline and latest


# --- Access --------------------------------------------------------------------------------------


def pages(participant):
    return [
        reverse("followup:outcomes"),
        reverse("followup:outcomes_csv"),
        reverse("followup:participant_timeline", args=[participant.pk]),
    ]


def test_anonymous_people_are_sent_to_sign_in(client):
    for url in pages(ParticipantFactory()):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url


def test_participants_and_coordinators_may_not_see_outcomes_or_timelines(
    participant_client, staff_client
):
    participant_client_ = participant_client()
    coordinator = staff_client(Role.COORDINATOR)
    for url in pages(participant_client_.user):  # not even their own timeline
        assert participant_client_.get(url).status_code == 403
        assert coordinator.get(url).status_code == 403


@pytest.mark.parametrize("role", [Role.CLINICIAN, Role.ADMIN])
def test_clinicians_and_admins_see_outcomes_and_timelines(staff_client, role):
    checkin = CheckInFactory(mood=7, completed_at=timezone.now(), phq9_total=6, gad7_total=4)
    client = staff_client(role)
    for url in pages(checkin.participant):
        assert client.get(url).status_code == 200


def test_a_staff_members_timeline_does_not_exist(staff_client):
    client = staff_client(Role.CLINICIAN)
    other = staff_client(Role.COORDINATOR).user
    url = reverse("followup:participant_timeline", args=[other.pk])
    assert client.get(url).status_code == 404


def test_timeline_shows_screenings_sessions_checkins_and_a_banded_chart(staff_client):
    checkin = CheckInFactory(
        mood=7, completed_at=timezone.now(), phq9_total=6, gad7_total=4, reflection="Calmer now"
    )
    person = checkin.participant
    approved(person, timezone.now() - datetime.timedelta(days=20), 14, 9)
    missed = EnrollmentFactory(participant=person, status=EnrollmentStatus.NO_SHOW)
    client = staff_client(Role.CLINICIAN)
    html = client.get(reverse("followup:participant_timeline", args=[person.pk])).content
    html = html.decode()
    assert "Screening decision: Approved" in html
    assert missed.session.title in html and "No-show" in html
    assert "One-week check-in" in html and "Calmer now" in html
    assert "chart-band band-moderate" in html and "series-phq9" in html and "series-mood" in html
    assert "1 session attended, 1 missed" in html


def test_review_page_links_to_the_timeline(staff_client):
    screening = approved(ParticipantFactory(), timezone.now(), 5, 5)
    client = staff_client(Role.CLINICIAN)
    html = client.get(reverse("participants:review_detail", args=[screening.public_id])).content
    assert reverse("followup:participant_timeline", args=[screening.participant_id]) in (
        html.decode()
    )


# --- Query budgets -------------------------------------------------------------------------------


@pytest.fixture
def year_of_data():
    """200 participants, 12 monthly dosing sessions attended by all, four check-ins each."""
    session_type = DosingSessionTypeFactory(name="Dosing year")
    room = RoomFactory(capacity=400)
    start = timezone.now() - datetime.timedelta(days=365)
    sessions = GroupSession.objects.bulk_create(
        GroupSession(
            session_type=session_type,
            title="Dosing",
            starts_at=start + datetime.timedelta(days=30 * n),
            ends_at=start + datetime.timedelta(days=30 * n, hours=3),
            room=room,
            capacity=400,
            status=SessionStatus.COMPLETED,
        )
        for n in range(12)
    )
    first = ParticipantFactory()
    people = [first] + User.objects.bulk_create(
        User(email=f"year{n}@example.org", first_name="Y", last_name=f"P{n}") for n in range(199)
    )
    clinician = User.objects.create(email="decider@example.org")
    Screening.objects.bulk_create(
        Screening(
            participant=person,
            status="approved",
            submitted_at=start - datetime.timedelta(days=3),
            decided_at=start - datetime.timedelta(days=2),
            decided_by=clinician,
            valid_until=timezone.localdate() + datetime.timedelta(days=10),
            phq9_total=10 + n % 10,
            gad7_total=8 + n % 8,
        )
        for n, person in enumerate(people)
    )
    seats = Enrollment.objects.bulk_create(
        Enrollment(participant=person, session=session, status=EnrollmentStatus.ATTENDED)
        for person in people
        for session in sessions
    )
    sessions_by_pk = {session.pk: session for session in sessions}
    checkins = CheckIn.objects.bulk_create(
        CheckIn(
            participant_id=seat.participant_id,
            enrollment=seat,
            kind=kind,
            opens_at=sessions_by_pk[seat.session_id].ends_at + datetime.timedelta(days=days),
            completed_at=(
                sessions_by_pk[seat.session_id].ends_at + datetime.timedelta(days=days, hours=2)
                if (seat.pk + days) % 3
                else None
            ),
            mood=(seat.pk + days) % 11 if (seat.pk + days) % 3 else None,
            phq9_total=(seat.pk % 20) if kind in ("week", "month") else None,
            gad7_total=(seat.pk % 15) if kind in ("week", "month") else None,
        )
        for seat in seats
        for kind, days in (("self_compassion", 1), ("somatic", 3), ("week", 7), ("month", 30))
    )
    # Three check-ins in four had their prompt sent as they opened.
    checkin_type = ContentType.objects.get_for_model(CheckIn)
    Notification.objects.bulk_create(
        Notification(
            recipient_id=checkin.participant_id,
            kind=PROMPT_KIND_FOR[checkin.kind],
            subject_type=checkin_type,
            subject_id=checkin.pk,
            due_at=checkin.opens_at,
            status=NotificationStatus.SENT,
            sent_at=checkin.opens_at,
        )
        for checkin in checkins
        if checkin.pk % 4
    )
    return first


def test_outcomes_report_runs_a_bounded_number_of_queries(
    staff_client, year_of_data, django_assert_max_num_queries
):
    client = staff_client(Role.CLINICIAN)
    assert CheckIn.objects.count() == 200 * 12 * 4
    # Sign-in, second factor, roles, permissions, the navigation and the session: 11; the
    # report itself: 3 (seats, screenings, check-ins with whether their prompt was sent),
    # whatever the amount of data.
    with django_assert_max_num_queries(14 + AUDIT_QUERIES):
        response = client.get(reverse("followup:outcomes"))
    assert response.status_code == 200
    overall = response.context["report"].overall
    assert overall.participant_count == 200
    assert overall.prompts_sent == Notification.objects.count() == 200 * 12 * 3
    with django_assert_max_num_queries(10):
        assert client.get(reverse("followup:outcomes_csv")).status_code == 200


def test_timeline_runs_a_bounded_number_of_queries(
    staff_client, year_of_data, django_assert_max_num_queries
):
    client = staff_client(Role.CLINICIAN)
    url = reverse("followup:participant_timeline", args=[year_of_data.pk])
    # Sign-in and navigation: 11; the participant, screenings, seats, check-ins, their
    # practices and safety alerts: 6, whatever the length of the history.
    with django_assert_max_num_queries(17 + AUDIT_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["timeline"].checkins) == 48


def test_demo_data_gives_the_charts_something_to_show_and_is_idempotent(roles):
    from demo.sessions import seed_demo

    seed_demo()
    count = CheckIn.objects.count()
    seed_demo()
    assert CheckIn.objects.count() == count
    demo = User.objects.get(email="participant@journease.test")
    progress = participant_progress(participant=demo)
    assert not progress.score_chart.is_empty and not progress.mood_chart.is_empty
    report = outcomes_report()
    assert report.overall.participant_count == 4
    assert report.overall.phq9_pairs == 4
