"""One cohort's outcomes and attendance (the staff's printable page), on a small cohort worked
out by hand: who is counted, the figures (the clinic report's, through the same code), each
member's row, the attendance per session and per member, the page's access, its print styles,
its CSV and its query budget."""

import csv
import datetime
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cohorts.models import Cohort, CohortMember, CohortSession, ProgramStep, ProgramTemplate
from followup.cohort_outcomes import cohort_outcomes
from followup.outcomes import outcomes_report
from participants.models import AuditEvent, Role
from sessions_app.models import EnrollmentStatus, GroupSession, SessionStatus
from tests.auth import AUDIT_QUERIES
from tests.factories import (
    DosingSessionTypeFactory,
    EnrollmentFactory,
    GroupSessionFactory,
    ParticipantFactory,
    PreparationSessionTypeFactory,
    RoomFactory,
    SessionTypeFactory,
)
from tests.participants.test_outcomes import approved, attended, denver

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("screening_defaults")]

NOW = denver(2025, 7, 1, 12)


def session_at(session_type, room, day: datetime.date, hour: int, hours: int) -> GroupSession:
    start = denver(day.year, day.month, day.day, hour)
    return GroupSessionFactory(
        session_type=session_type,
        title=session_type.name,
        room=room,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=hours),
        status=SessionStatus.COMPLETED,
    )


def make_cohort(title: str = "Spring cohort", days=(1, 6, 7, 20)) -> tuple[Cohort, list]:
    """A cohort of four sessions in March 2025 (rows made directly: a past cohort, as the
    services would have left it): preparation, dosing, integration, dosing."""
    room = RoomFactory(name="Cedar room")
    kinds = [
        (PreparationSessionTypeFactory(name="Preparation circle"), 18, 2),
        (DosingSessionTypeFactory(name="Group dosing"), 9, 3),
        (SessionTypeFactory(name="Integration circle"), 18, 2),
        (DosingSessionTypeFactory(name="Group dosing"), 9, 3),
    ]
    template = ProgramTemplate.objects.create(name=f"Program of {title}", capacity=8)
    cohort = Cohort.objects.create(
        template=template,
        title=title,
        status="published",
        start_date=datetime.date(2025, 3, days[0]),
        room=room,
        capacity=8,
    )
    sessions = []
    for position, ((session_type, hour, hours), day) in enumerate(zip(kinds, days, strict=True)):
        step = ProgramStep.objects.create(
            template=template,
            position=position,
            session_type=session_type,
            offset_days=day - days[0],
            start_time=datetime.time(hour, 0),
            duration_minutes=hours * 60,
            purpose=f"Meeting {position + 1}",
        )
        session = session_at(session_type, room, datetime.date(2025, 3, day), hour, hours)
        CohortSession.objects.create(cohort=cohort, step=step, session=session)
        sessions.append(session)
    return cohort, sessions


def join(cohort, person, *, left: datetime.datetime | None = None) -> CohortMember:
    return CohortMember.objects.create(
        cohort=cohort, participant=person, joined_at=denver(2025, 2, 10, 12), left_at=left
    )


def seat(person, session, status):
    cancelled = session.starts_at - datetime.timedelta(days=2) if status == "cancelled" else None
    return EnrollmentFactory(
        participant=person, session=session, status=status, cancelled_at=cancelled
    )


A, NS, ND, C, E = (
    EnrollmentStatus.ATTENDED,
    EnrollmentStatus.NO_SHOW,
    EnrollmentStatus.NOT_DOSED,
    EnrollmentStatus.CANCELLED,
    EnrollmentStatus.ENROLLED,
)


@pytest.fixture
def spring():
    """Sessions: Prep 1 Mar, D1 6 Mar 9-12, Int 7 Mar, D2 20 Mar 9-12 (2025).

    Alvarez (baseline 20/14, 20 Feb): also dosed in an open session on 25 Feb (its check-ins
      prompted, none answered: not the cohort's); everything attended. D1: week 14/10 (1 of 4
      done); D2: self-compassion, week 8/6, month 19 Apr 4/3 (3 of 4). Latest 4/3: responds
      (4 <= 10) and remits (4 < 5).
    Baker (12/9), left on 15 Mar: Prep, D1, Int attended, D2 cancelled. D1 week 7/5 (1 of 4).
      Eligible; 7 > 6: neither.
    Chen (8/10): Prep attended, D1 arrived not dosed, Int no-show, D2 attended; D2 week 3/4
      (1 of 4). Baseline below 10: not eligible.
    Diaz (15/12): Prep attended, D1 not dosed, Int still enrolled, D2 no-show: no attended
      dosing seat in the cohort, so not counted.
    Evans, never a member, attended D1 (baseline 18/15, week 2/1): not counted.
    """
    cohort, (prep, d1, integration, d2) = make_cohort()
    people = {
        name: ParticipantFactory(first_name=name[0], last_name=name)
        for name in ("Alvarez", "Baker", "Chen", "Diaz", "Evans")
    }
    alvarez, baker, chen, diaz, evans = people.values()
    for person, (phq9, gad7) in zip(
        people.values(), [(20, 14), (12, 9), (8, 10), (15, 12), (18, 15)], strict=True
    ):
        approved(person, denver(2025, 2, 20, 12), phq9, gad7)
    for person in (alvarez, chen, diaz):
        join(cohort, person)
    join(cohort, baker, left=denver(2025, 3, 15, 12))

    outside = session_at(
        DosingSessionTypeFactory(name="Open dosing"), prep.room, datetime.date(2025, 2, 25), 9, 3
    )
    attended(alvarez, outside, {})
    for session in (prep, integration):
        seat(alvarez, session, A)
    attended(alvarez, d1, {"week": (denver(2025, 3, 13, 11), 14, 10)})
    attended(
        alvarez,
        d2,
        {
            "self_compassion": (denver(2025, 3, 21, 11), None, None),
            "week": (denver(2025, 3, 27, 11), 8, 6),
            "month": (denver(2025, 4, 19, 11), 4, 3),
        },
    )
    seat(baker, prep, A)
    attended(baker, d1, {"week": (denver(2025, 3, 13, 11), 7, 5)})
    seat(baker, integration, A)
    seat(baker, d2, C)
    seat(chen, prep, A)
    seat(chen, d1, ND)
    seat(chen, integration, NS)
    attended(chen, d2, {"week": (denver(2025, 3, 27, 11), 3, 4)})
    seat(diaz, prep, A)
    seat(diaz, d1, ND)
    seat(diaz, integration, E)
    seat(diaz, d2, NS)
    attended(evans, d1, {"week": (denver(2025, 3, 13, 11), 2, 1)})
    return {"cohort": cohort, "d1": d1, **people}


def test_cohort_figures_match_the_hand_computed_cohort(spring):
    report = cohort_outcomes(cohort=spring["cohort"], now=NOW)
    group = report.group
    # Counted: Alvarez (20->4), Baker (12->7), Chen (8->3); not Diaz (not dosed), not Evans.
    assert {o.participant_id for o in group.participants} == {
        spring[name].pk for name in ("Alvarez", "Baker", "Chen")
    }
    assert group.participant_count == 3 and group.phq9_pairs == 3
    assert group.phq9_baseline_mean == pytest.approx(40 / 3)
    assert group.phq9_latest_mean == pytest.approx(14 / 3)
    assert group.phq9_change_mean == pytest.approx((-16 - 5 - 5) / 3)
    # GAD-7: 14->3, 9->5, 10->4.
    assert group.gad7_change_mean == pytest.approx((-11 - 4 - 6) / 3)
    # Eligible: Alvarez and Baker; Alvarez responds and remits.
    assert (group.eligible_count, group.responders, group.remissions) == (2, 1, 1)
    # Check-ins of the cohort's dosing seats: Alvarez 1/4 + 3/4, Baker 1/4, Chen 1/4 = 6/16;
    # Alvarez's open session (4 prompts, none done) is not the cohort's.
    assert (group.checkins_completed, group.prompts_sent) == (6, 16)
    assert group.checkin_response_rate == pytest.approx(0.375)


def test_each_member_has_a_row_with_their_scores_and_checkins(spring):
    report = cohort_outcomes(cohort=spring["cohort"], now=NOW)
    rows = {row.participant.last_name: row for row in report.members}
    # Active members by name, then those who left; Evans was never a member.
    assert [row.participant.last_name for row in report.members] == [
        "Alvarez",
        "Chen",
        "Diaz",
        "Baker",
    ]
    alvarez = rows["Alvarez"].outcome
    assert (alvarez.baseline_phq9, alvarez.latest_phq9, alvarez.phq9_change) == (20, 4, -16)
    assert (alvarez.baseline_gad7, alvarez.latest_gad7, alvarez.gad7_change) == (14, 3, -11)
    assert alvarez.responded and alvarez.remitted
    assert (rows["Alvarez"].figures.checkins_completed, rows["Alvarez"].figures.prompts_sent) == (
        4,
        8,
    )
    baker = rows["Baker"]
    assert baker.left_at == denver(2025, 3, 15, 12)
    assert baker.counted and baker.outcome.eligible and not baker.outcome.responded
    assert not rows["Chen"].outcome.eligible  # baseline 8
    assert not rows["Diaz"].counted and rows["Diaz"].outcome is None
    assert [row.participant.last_name for row in report.not_counted] == ["Diaz"]


def test_attendance_per_session_and_per_member(spring):
    report = cohort_outcomes(cohort=spring["cohort"], now=NOW)
    counts = [
        (line.attended, line.not_dosed, line.no_show, line.cancelled, line.not_taken)
        for line in report.sessions
    ]
    # Prep: all four; D1: Alvarez, Baker attended, Chen and Diaz not dosed (Evans is no
    # member); Int: 2 attended, Chen no-show, Diaz not taken; D2: 2, Baker cancelled, Diaz
    # no-show.
    assert counts == [(4, 0, 0, 0, 0), (2, 2, 0, 0, 0), (2, 0, 1, 0, 1), (2, 0, 1, 1, 0)]
    rates = {row.participant.last_name: (row.came, row.taken) for row in report.members}
    # Not dosed counts as came; cancelled and not taken are in neither.
    assert rates == {"Alvarez": (4, 4), "Baker": (3, 3), "Chen": (3, 4), "Diaz": (2, 3)}


def test_the_clinic_reports_cohort_row_is_the_cohorts_figures(spring):
    clinic = outcomes_report(now=NOW)
    mine = cohort_outcomes(cohort=spring["cohort"], now=NOW).group
    (row,) = clinic.by_cohort
    assert (row.key, row.label) == (str(spring["cohort"].pk), "Spring cohort")
    for name in (
        "participant_count",
        "phq9_change_mean",
        "gad7_change_mean",
        "responders",
        "remissions",
        "eligible_count",
        "prompts_sent",
        "checkins_completed",
    ):
        assert getattr(row, name) == getattr(mine, name), name
    assert "cohort" in [key for key, _title, _groups in clinic.groupings]
    # The session grouping still counts everyone at D1, the non-member Evans too.
    d1 = next(g for g in clinic.by_session if g.key == str(spring["d1"].pk))
    assert d1.participant_count == 3  # Alvarez, Baker, Evans


def test_a_dosing_seat_later_in_another_cohort_moves_the_latest_as_in_the_clinic_report(spring):
    """A member's latest is theirs across the clinic (within 90 days after their last attended
    dosing session, wherever it was), so a person has one set of figures on every page."""
    alvarez = spring["Alvarez"]
    later = session_at(
        DosingSessionTypeFactory(name="Summer dosing"),
        RoomFactory(name="Aspen room"),
        datetime.date(2025, 5, 1),
        9,
        3,
    )
    attended(alvarez, later, {"week": (denver(2025, 5, 8, 11), 11, 9)})
    report = cohort_outcomes(cohort=spring["cohort"], now=NOW)
    row = next(r for r in report.members if r.participant == alvarez)
    assert (row.outcome.latest_phq9, row.outcome.latest_gad7) == (11, 9)
    assert not row.outcome.responded  # 11 > 20 / 2
    # The later session's check-ins are not this cohort's.
    assert (row.figures.checkins_completed, row.figures.prompts_sent) == (4, 8)


def test_a_member_who_left_and_joined_again_is_one_row():
    cohort, (prep, d1, _integration, _d2) = make_cohort()
    person = ParticipantFactory(last_name="Fox")
    approved(person, denver(2025, 2, 20, 12), 16, 11)
    join(cohort, person, left=denver(2025, 2, 12, 12))
    join(cohort, person)
    attended(person, d1, {})
    report = cohort_outcomes(cohort=cohort, now=NOW)
    assert len(report.members) == 1
    assert report.members[0].left_at is None and report.members[0].counted
    assert report.group.participant_count == 1


# --- The page -----------------------------------------------------------------------------------


def test_the_page_shows_who_is_counted_the_rows_and_the_attendance(spring, staff_client):
    client = staff_client(Role.CLINICIAN)
    url = reverse("followup:cohort_outcomes", args=[spring["cohort"].pk])
    assert url == f"/staff/cohorts/{spring['cohort'].pk}/outcomes/"
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Outcomes of Spring cohort" in html
    assert "Who is counted" in html and "arrived but was not dosed does not count" in html
    assert "13.3 → 4.7 (3)" in html  # the group's PHQ-9 baseline and latest means
    assert "6/16 <span" in html and "(38%)" in html  # check-ins completed / prompts sent
    assert "20 → 4" in html  # Alvarez's PHQ-9
    assert "Not counted: no attended dosing session in this cohort." in html  # Diaz
    assert "Evans" not in html
    assert "3/4 <span" in html and "(75%)" in html  # Chen's attendance
    assert "Arrived, not dosed" in html
    event = AuditEvent.objects.latest("pk")
    assert event.action == "view" and f"outcomes of cohort {spring['cohort'].pk}" in event.note


def test_the_page_has_a_print_button_and_a_print_stylesheet(spring, staff_client):
    html = (
        staff_client(Role.CLINICIAN)
        .get(reverse("followup:cohort_outcomes", args=[spring["cohort"].pk]))
        .content.decode()
    )
    assert 'href="/static/css/cohort-outcomes-print.css" media="print"' in html
    assert "data-print" in html and "/static/js/print.js" in html
    assert 'class="d-flex gap-2 d-print-none"' in html  # the buttons do not print
    assert "onclick" not in html  # no inline script (the Content-Security-Policy)
    static = Path(settings.BASE_DIR) / "static"
    stylesheet = (static / "css" / "cohort-outcomes-print.css").read_text()
    assert "@page { size: landscape" in stylesheet
    assert "thead { display: table-header-group; }" in stylesheet  # headings on every page
    assert "window.print()" in (static / "js" / "print.js").read_text()


def test_the_cohorts_staff_page_links_to_it_for_clinical_staff_only(spring, staff_client):
    cohort = spring["cohort"]
    detail = reverse("cohorts_staff:cohort_detail", args=[cohort.pk])
    link = reverse("followup:cohort_outcomes", args=[cohort.pk])
    assert link in staff_client(Role.CLINICIAN).get(detail).content.decode()
    assert link not in staff_client(Role.COORDINATOR).get(detail).content.decode()


def test_coordinators_participants_and_strangers_may_not_see_it(
    spring, staff_client, participant_client, client
):
    urls = [
        reverse(name, args=[spring["cohort"].pk])
        for name in ("followup:cohort_outcomes", "followup:cohort_outcomes_csv")
    ]
    member = participant_client()
    CohortMember.objects.create(
        cohort=spring["cohort"], participant=member.user, joined_at=timezone.now()
    )
    for url in urls:
        assert staff_client(Role.COORDINATOR).get(url).status_code == 403
        assert member.get(url).status_code == 403  # a member neither
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response.url
        assert staff_client(Role.ADMIN).get(url).status_code == 200


def test_an_unknown_cohort_is_404(staff_client, db):
    client = staff_client(Role.CLINICIAN)
    assert client.get(reverse("followup:cohort_outcomes", args=[99999])).status_code == 404
    assert client.get(reverse("followup:cohort_outcomes_csv", args=[99999])).status_code == 404


def test_csv_has_the_cohorts_figures_and_attendance_no_names_and_no_formulas(spring, staff_client):
    cohort = spring["cohort"]
    cohort.title = '=HYPERLINK("http://example.org")'
    cohort.save()
    response = staff_client(Role.CLINICIAN).get(
        reverse("followup:cohort_outcomes_csv", args=[cohort.pk])
    )
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = response.content.decode()
    rows = list(csv.reader(io.StringIO(body)))
    figures = dict(zip(rows[0], rows[1], strict=True))
    assert figures["grouping"] == "cohort"
    assert figures["group"] == '\'=HYPERLINK("http://example.org")'  # never a formula
    assert figures["participants"] == "3"
    assert figures["checkin_prompts_sent"] == "16"
    assert figures["checkin_response_rate"] == "0.38"
    assert rows[2] == []
    attendance = [dict(zip(rows[3], row, strict=True)) for row in rows[4:]]
    assert [row["attended"] for row in attendance] == ["4", "2", "2", "2"]
    assert [row["not_dosed"] for row in attendance] == ["0", "2", "0", "0"]
    assert attendance[0]["starts_at"].startswith("2025-03-01T18:00:00-07:00")
    for name in ("Alvarez", "Baker", "Chen", "Diaz", "Evans"):
        assert name not in body and spring[name].email not in body
    assert AuditEvent.objects.latest("pk").action == "export"


def test_the_clinic_csv_guards_a_session_title_too(staff_client, spring):
    spring["d1"].title = "+1 cmd|' /C calc'!A0"
    spring["d1"].save()
    body = staff_client(Role.CLINICIAN).get(reverse("followup:outcomes_csv")).content.decode()
    labels = [row["group"] for row in csv.DictReader(io.StringIO(body))]
    assert not any(label.startswith(("=", "+", "-", "@")) for label in labels)
    assert any("'+1 cmd" in label or label.endswith("+1 cmd|' /C calc'!A0") for label in labels)
    assert "Spring cohort" in labels  # the per-cohort row


# --- Query budget -------------------------------------------------------------------------------


def populate(members: int) -> Cohort:
    """A cohort whose ``members`` each attended all four sessions, with baselines and every
    check-in of both dosing seats answered."""
    cohort, sessions = make_cohort(title=f"Cohort of {members}")
    for n in range(members):
        person = ParticipantFactory(last_name=f"Member {n}")
        approved(person, denver(2025, 2, 20, 12), 10 + n % 10, 8 + n % 8)
        join(cohort, person)
        for session in sessions:
            if session.session_type.kind == "dosing":
                answer = (session.ends_at + datetime.timedelta(days=7), 5, 4)
                attended(person, session, {"week": answer})
            else:
                seat(person, session, A)
    return cohort


@pytest.mark.parametrize("members", [3, 12])
def test_the_page_runs_a_bounded_number_of_queries(
    members, staff_client, django_assert_max_num_queries
):
    cohort = populate(members)
    client = staff_client(Role.CLINICIAN)
    url = reverse("followup:cohort_outcomes", args=[cohort.pk])
    client.get(url)  # the sign-in's first request warms the session
    # The session, the user, the second factor, roles and permissions: 6; the cohort: 1; its
    # roster (sessions, members, seats): 3; the figures (seats, screenings, check-ins): 3; the
    # navigation (open alerts, the signed-in person's profile): 2; whatever the number of
    # members.
    with django_assert_max_num_queries(15 + AUDIT_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["report"].group.participant_count == members
    csv_url = reverse("followup:cohort_outcomes_csv", args=[cohort.pk])
    with django_assert_max_num_queries(13 + AUDIT_QUERIES):  # no navigation
        assert client.get(csv_url).status_code == 200


def test_the_report_runs_the_same_queries_for_3_and_12_members(db):
    counts = []
    for members in (3, 12):
        cohort = populate(members)
        with CaptureQueriesContext(connection) as queries:
            cohort_outcomes(cohort=cohort, now=NOW)
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 7
