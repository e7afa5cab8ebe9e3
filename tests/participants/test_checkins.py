"""Integration check-ins: opened when attendance is taken, linked from each prompt, answered
once with validation at each field, the safety path, and the daily reminders."""

import datetime
import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from followup.message_kinds import FollowUpMessage
from followup.models import CheckIn, CheckInKind
from followup.services.checkins import (
    CheckInAnswers,
    CheckInRefused,
    checkin_complete,
    checkin_nudges_plan,
)
from outbox import rendering as messages
from outbox.models import Notification, NotificationStatus
from participants.instruments import GAD7_CODES, PHQ9_CODES
from participants.models import Role, SafetyAlert
from sessions_app.message_kinds import session_of
from sessions_app.models import EnrollmentStatus
from sessions_app.services.attendance import attendance_record
from tests.factories import (
    CheckInFactory,
    DosingSessionTypeFactory,
    EnrollmentFactory,
    GroupSessionFactory,
    ParticipantFactory,
    PracticeFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("screening_defaults")]


def denver(*args) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(*args))


def dosing_seat():
    session = GroupSessionFactory(
        session_type=DosingSessionTypeFactory(),
        starts_at=denver(2027, 3, 7, 9),
        ends_at=denver(2027, 3, 7, 12),
    )
    return EnrollmentFactory(session=session)


def pending_about(checkin: CheckIn) -> list[Notification]:
    return list(
        Notification.objects.filter(
            subject_type=ContentType.objects.get_for_model(CheckIn),
            subject_id=checkin.pk,
            status=NotificationStatus.PENDING,
        )
    )


def form_data(checkin: CheckIn, **overrides) -> dict:
    data = {"mood": "6", "reflection": "Felt lighter.", "practices": []}
    if checkin.is_scored:
        data.update(dict.fromkeys(PHQ9_CODES, "1"))
        data.update(dict.fromkeys(GAD7_CODES, "1"))
        data["phq9_9"] = "0"
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def checkin_url(checkin: CheckIn) -> str:
    return reverse("followup:checkin", args=[checkin.public_id])


# --- Planning ------------------------------------------------------------------------------------


def test_attending_a_dosing_session_opens_one_checkin_per_kind_and_links_each_prompt_to_it():
    seat = dosing_seat()
    taken = denver(2027, 3, 7, 12, 5)
    attendance_record(session=seat.session, marks={seat.pk: EnrollmentStatus.ATTENDED}, now=taken)
    # Taking attendance again (a correction that changes nothing) does not duplicate anything.
    attendance_record(session=seat.session, marks={seat.pk: EnrollmentStatus.ATTENDED}, now=taken)
    checkins = {c.kind: c for c in CheckIn.objects.filter(enrollment=seat)}
    assert set(checkins) == set(CheckInKind.values)
    assert timezone.localtime(checkins["week"].opens_at) == denver(2027, 3, 14, 10)
    expected = {
        "self_compassion": FollowUpMessage.INTEGRATION_SELF_COMPASSION,
        "somatic": FollowUpMessage.INTEGRATION_SOMATIC,
        "week": FollowUpMessage.CHECKIN_WEEK,
        "month": FollowUpMessage.CHECKIN_MONTH,
    }
    for kind, checkin in checkins.items():
        (prompt,) = pending_about(checkin)
        assert prompt.kind == expected[kind]
        assert prompt.due_at == checkin.opens_at
        assert prompt.context["path"] == checkin_url(checkin)
        assert str(checkin.public_id) in prompt.context["path"]


def test_a_prompt_about_a_checkin_still_names_the_session_and_links_to_the_checkin(settings):
    seat = dosing_seat()
    attendance_record(
        session=seat.session,
        marks={seat.pk: EnrollmentStatus.ATTENDED},
        now=denver(2027, 3, 7, 12, 5),
    )
    week = CheckIn.objects.get(enrollment=seat, kind="week")
    (prompt,) = pending_about(week)
    assert session_of(prompt.subject) == seat.session
    rendered = messages.render(prompt)
    assert f"{settings.SITE_URL}{checkin_url(week)}" in rendered.text
    assert "ketamine" not in (rendered.subject + rendered.text).lower()


def test_a_correction_to_no_show_withdraws_unanswered_checkins_and_their_prompts():
    seat = dosing_seat()
    taken = denver(2027, 3, 7, 12, 5)
    attendance_record(session=seat.session, marks={seat.pk: EnrollmentStatus.ATTENDED}, now=taken)
    prompts = list(Notification.objects.filter(recipient=seat.participant))
    assert len(prompts) == 4
    attendance_record(session=seat.session, marks={seat.pk: EnrollmentStatus.NO_SHOW}, now=taken)
    assert not CheckIn.objects.filter(enrollment=seat).exists()
    assert not Notification.objects.filter(status=NotificationStatus.PENDING).exists()
    # Marked attended again: the check-ins and prompts come back.
    attendance_record(session=seat.session, marks={seat.pk: EnrollmentStatus.ATTENDED}, now=taken)
    assert CheckIn.objects.filter(enrollment=seat).count() == 4
    assert Notification.objects.filter(status=NotificationStatus.PENDING).count() == 4


def test_an_unanswered_week_checkin_is_reminded_once_a_day_for_three_days_then_stops():
    checkin = CheckInFactory(opens_at=denver(2027, 3, 14, 10))
    nudges = Notification.objects.filter(kind=FollowUpMessage.CHECKIN_NUDGE)
    sent_days = []
    moment = denver(2027, 3, 14, 10, 30)
    for _hour in range(24 * 6):
        checkin_nudges_plan(now=moment)
        for nudge in nudges.filter(status=NotificationStatus.PENDING, due_at__lte=moment):
            nudge.status = NotificationStatus.SENT
            nudge.save()
            sent_days.append(timezone.localtime(nudge.due_at))
        moment += datetime.timedelta(hours=1)
    assert sent_days == [denver(2027, 3, d, 10) for d in (15, 16, 17)]
    assert nudges.first().context["path"] == checkin_url(checkin)


def test_answering_a_checkin_cancels_its_pending_reminder():
    checkin = CheckInFactory(opens_at=denver(2027, 3, 14, 10))
    checkin_nudges_plan(now=denver(2027, 3, 14, 11))
    assert [n.kind for n in pending_about(checkin)] == [FollowUpMessage.CHECKIN_NUDGE]
    checkin_complete(
        checkin=checkin,
        answers=CheckInAnswers(
            mood=5,
            reflection="",
            practices=[],
            answers=dict.fromkeys(PHQ9_CODES + GAD7_CODES, 0),
            wants_contact=False,
        ),
        now=denver(2027, 3, 14, 12),
    )
    assert pending_about(checkin) == []
    checkin_nudges_plan(now=denver(2027, 3, 15, 9))
    assert pending_about(checkin) == []


def test_practice_prompts_are_not_reminded():
    CheckInFactory(kind="somatic", opens_at=denver(2027, 3, 10, 10))
    assert checkin_nudges_plan(now=denver(2027, 3, 10, 11)) == 0


# --- The check-in page ---------------------------------------------------------------------------


def test_week_checkin_records_mood_practices_reflection_and_scores(participant_client):
    client = participant_client()
    checkin = CheckInFactory(enrollment__participant=client.user)
    somatic = PracticeFactory(code="somatic")
    data = form_data(checkin, mood="7", practices=[str(somatic.pk)], phq9_1="3", gad7_2="2")
    response = client.post(checkin_url(checkin), data)
    assert response.status_code == 302
    checkin.refresh_from_db()
    assert checkin.completed_at is not None
    assert checkin.mood == 7
    assert list(checkin.practices.all()) == [somatic]
    assert checkin.reflection == "Felt lighter."
    # PHQ-9: eight items at 1, item 1 at 3, item 9 at 0 -> 7 + 3 = 10 (moderate).
    assert (checkin.phq9_total, checkin.phq9_band) == (10, "Moderate")
    # GAD-7: six items at 1, item 2 at 2 -> 6 + 2 = 8 (mild).
    assert (checkin.gad7_total, checkin.gad7_band) == (8, "Mild")
    assert not SafetyAlert.objects.exists()
    page = client.get(checkin_url(checkin)).content.decode()
    assert "You answered this check-in" in page


def test_missing_answers_are_shown_at_their_field_and_nothing_typed_is_lost(participant_client):
    client = participant_client()
    checkin = CheckInFactory(enrollment__participant=client.user)
    data = form_data(checkin, mood=None, gad7_4=None, reflection="Still thinking about it.")
    response = client.post(checkin_url(checkin), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"mood", "gad7_4"}
    assert "Please choose a number from 0 to 10." in form.errors["mood"]
    html = response.content.decode()
    assert "Still thinking about it." in html
    assert form["phq9_1"].value() == "1"
    assert re.search(r"<input[^>]*name=\"phq9_1\"[^>]*value=\"1\"[^>]*checked", html)
    checkin.refresh_from_db()
    assert checkin.completed_at is None


def test_mood_outside_zero_to_ten_is_refused(participant_client):
    client = participant_client()
    checkin = CheckInFactory(enrollment__participant=client.user, kind="somatic")
    response = client.post(checkin_url(checkin), form_data(checkin, mood="11"))
    assert "mood" in response.context["form"].errors
    with pytest.raises(CheckInRefused):
        checkin_complete(
            checkin=checkin,
            answers=CheckInAnswers(
                mood=11, reflection="", practices=[], answers={}, wants_contact=False
            ),
        )


def test_a_week_checkin_is_not_recorded_without_every_phq9_and_gad7_answer():
    checkin = CheckInFactory()
    with pytest.raises(CheckInRefused):
        checkin_complete(
            checkin=checkin,
            answers=CheckInAnswers(
                mood=5,
                reflection="",
                practices=[],
                answers=dict.fromkeys(PHQ9_CODES, 0),
                wants_contact=False,
            ),
        )
    checkin.refresh_from_db()
    assert checkin.completed_at is None


def test_practice_checkins_do_not_ask_phq9_or_gad7(participant_client):
    client = participant_client()
    checkin = CheckInFactory(enrollment__participant=client.user, kind="self_compassion")
    response = client.get(checkin_url(checkin))
    assert "phq9_1" not in response.context["form"].fields
    assert client.post(checkin_url(checkin), {"mood": "4"}).status_code == 302
    checkin.refresh_from_db()
    assert checkin.mood == 4 and checkin.phq9_total is None


def test_the_checkin_page_says_free_text_is_not_monitored_and_shows_crisis_lines(
    participant_client,
):
    client = participant_client()
    checkin = CheckInFactory(enrollment__participant=client.user)
    html = client.get(checkin_url(checkin)).content.decode()
    assert "not monitored in real time" in html
    assert 'href="tel:988"' in html


def test_a_checkin_is_answered_once_and_not_before_it_opens(participant_client):
    client = participant_client()
    later = CheckInFactory(
        enrollment__participant=client.user,
        opens_at=timezone.now() + datetime.timedelta(days=2),
    )
    response = client.post(checkin_url(later), form_data(later))
    assert response.status_code == 200 and "This check-in opens on" in response.content.decode()
    later.refresh_from_db()
    assert later.completed_at is None

    now_open = CheckInFactory(enrollment__participant=client.user, kind="month")
    client.post(checkin_url(now_open), form_data(now_open, mood="3"))
    client.post(checkin_url(now_open), form_data(now_open, mood="9"))
    now_open.refresh_from_db()
    assert now_open.mood == 3


# --- The safety path -----------------------------------------------------------------------------


def test_phq9_item_9_shows_crisis_resources_at_once_and_alerts_clinicians(
    participant_client, make_user, django_capture_on_commit_callbacks
):
    clinician = make_user(Role.CLINICIAN)
    client = participant_client()
    checkin = CheckInFactory(enrollment__participant=client.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(checkin_url(checkin), form_data(checkin, phq9_9="2"), follow=True)
    html = response.content.decode()
    assert "Please reach out for support now" in html
    assert 'href="tel:988"' in html and 'href="tel:911"' in html
    alert = SafetyAlert.objects.get()
    assert alert.participant == client.user
    assert "PHQ-9 item 9" in alert.reason
    checkin.refresh_from_db()
    assert checkin.safety_alert == alert
    assert [message.to for message in mail.outbox] == [[clinician.email]]


def test_phq9_item_9_alerts_even_when_another_answer_is_missing_and_only_once(
    participant_client, django_capture_on_commit_callbacks
):
    client = participant_client()
    checkin = CheckInFactory(enrollment__participant=client.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(checkin_url(checkin), form_data(checkin, phq9_9="1", mood=None))
    assert response.status_code == 200
    assert "Please reach out for support now" in response.content.decode()
    assert SafetyAlert.objects.count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        client.post(checkin_url(checkin), form_data(checkin, phq9_9="1"))
    assert SafetyAlert.objects.count() == 1
    checkin.refresh_from_db()
    assert checkin.completed_at is not None


def test_asking_to_talk_to_someone_alerts_the_clinicians(
    participant_client, make_user, django_capture_on_commit_callbacks
):
    clinician = make_user(Role.CLINICIAN)
    client = participant_client()
    checkin = CheckInFactory(enrollment__participant=client.user, kind="somatic")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            checkin_url(checkin), form_data(checkin, wants_contact="on"), follow=True
        )
    assert "a clinician will reach out to you" in response.content.decode()
    alert = SafetyAlert.objects.get()
    assert alert.participant == client.user
    assert "talk to someone" in alert.reason
    assert [message.to for message in mail.outbox] == [[clinician.email]]


def test_no_alert_without_a_safety_answer_or_a_request(participant_client):
    client = participant_client()
    checkin = CheckInFactory(enrollment__participant=client.user)
    client.post(checkin_url(checkin), form_data(checkin))
    assert not SafetyAlert.objects.exists()


# --- Access --------------------------------------------------------------------------------------


def test_checkin_and_progress_need_sign_in(client):
    checkin = CheckInFactory()
    for url in (checkin_url(checkin), reverse("followup:progress")):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("participants:login"))


def test_another_participants_checkin_is_not_found(participant_client):
    checkin = CheckInFactory()
    client = participant_client()
    assert client.get(checkin_url(checkin)).status_code == 404
    assert client.post(checkin_url(checkin), form_data(checkin)).status_code == 404
    checkin.refresh_from_db()
    assert checkin.completed_at is None


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.CLINICIAN, Role.ADMIN])
def test_staff_do_not_answer_checkins(staff_client, role):
    checkin = CheckInFactory()
    client = staff_client(role, permissions=[])
    assert client.get(checkin_url(checkin)).status_code == 403
    assert client.get(reverse("followup:progress")).status_code == 403


def test_progress_shows_only_my_checkins_with_a_chart_and_a_table(participant_client):
    client = participant_client()
    mine = CheckInFactory(enrollment__participant=client.user)
    checkin_complete(
        checkin=mine,
        answers=CheckInAnswers(
            mood=8,
            reflection="",
            practices=[],
            answers=dict.fromkeys(PHQ9_CODES + GAD7_CODES, 0) | {"phq9_1": 3},
            wants_contact=False,
        ),
    )
    other = CheckInFactory(enrollment__participant=ParticipantFactory())
    html = client.get(reverse("followup:progress")).content.decode()
    assert "<svg" in html and 'class="chart-line series-phq9"' in html
    assert str(mine.public_id) in html
    assert str(other.public_id) not in html
    assert "My progress" in client.get(reverse("participants:me")).content.decode()


def test_checkin_pages_have_no_inline_code_and_label_every_input(participant_client, staff_client):
    from tests.participants.test_screening_pages import assert_inputs_labelled
    from tests.test_pages import assert_no_inline_code

    client = participant_client()
    checkin = CheckInFactory(enrollment__participant=client.user)
    checkin_complete(
        checkin=CheckInFactory(enrollment__participant=client.user, kind="somatic"),
        answers=CheckInAnswers(
            mood=6, reflection="", practices=[], answers={}, wants_contact=False
        ),
    )
    for url in (checkin_url(checkin), reverse("followup:progress")):
        html = client.get(url).content.decode()
        assert_no_inline_code(html, url)
        assert_inputs_labelled(html, url)
    clinician = staff_client(Role.CLINICIAN)
    for url in (
        reverse("followup:outcomes"),
        reverse("followup:participant_timeline", args=[client.user.pk]),
    ):
        response = clinician.get(url)
        assert response.status_code == 200
        assert_no_inline_code(response.content.decode(), url)


def test_practices_the_clinic_lists_in_admin_are_offered_and_switched_off_ones_are_not(
    participant_client,
):
    PracticeFactory(code="breathing", name="Box breathing")
    PracticeFactory(code="journaling", name="Journaling", is_active=False)
    client = participant_client()
    checkin = CheckInFactory(enrollment__participant=client.user, kind="somatic")
    html = client.get(checkin_url(checkin)).content.decode()
    assert "Box breathing" in html and "Somatic (body-based) practice" in html
    assert "Journaling" not in html


def test_beat_plans_the_reminders_every_quarter_hour(settings):
    from followup.tasks import plan_checkin_nudges

    entry = next(
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == plan_checkin_nudges.name
    )
    assert entry["schedule"] == 15 * 60
    checkin = CheckInFactory()
    assert plan_checkin_nudges() == 1
    assert [n.kind for n in pending_about(checkin)] == [FollowUpMessage.CHECKIN_NUDGE]
