"""Local times that name no single instant: the spring-forward gap and the autumn's repeated hour.

2:30 AM on Sunday 14 March 2027 does not exist in America/Denver (clocks go forward from 2:00 to
3:00 AM); 1:30 AM on Sunday 7 November 2027 happens twice (clocks go back from 2:00 to 1:00 AM,
MDT to MST). Every staff path that reads a date and a wall-clock time refuses the first at its
field and asks which of the second is meant; a weekly series lists such dates as needing a
decision; Django admin refuses both.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from journease.clinic_time import ClinicTimeError, clinic_datetime
from participants.models import Role
from sessions_app.models import GroupSession
from sessions_app.services import scheduling
from tests.factories import GroupSessionFactory, RoomFactory, SessionTypeFactory

pytestmark = [pytest.mark.django_db, pytest.mark.clock("2027-01-10 10:00")]

GAP_DAY = datetime.date(2027, 3, 14)
REPEAT_DAY = datetime.date(2027, 11, 7)
GAP_MESSAGE = (
    "2:30 AM does not exist on Sunday 14 March 2027: clocks go forward from 2:00 to 3:00 AM. "
    "Choose another time."
)
# 1:30 AM MDT (UTC-6) and 1:30 AM MST (UTC-7), an hour apart.
FIRST_130 = datetime.datetime(2027, 11, 7, 7, 30, tzinfo=datetime.UTC)
SECOND_130 = datetime.datetime(2027, 11, 7, 8, 30, tzinfo=datetime.UTC)


def local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return clinic_datetime(day, datetime.time(hour, minute))


# --- The conversion ---------------------------------------------------------------------------


def test_a_time_in_the_spring_gap_is_refused_with_the_reason():
    with pytest.raises(ClinicTimeError) as refused:
        clinic_datetime(GAP_DAY, datetime.time(2, 30))
    assert refused.value.code == ClinicTimeError.NONEXISTENT
    assert refused.value.message == GAP_MESSAGE
    # Telling it which fold does not make the time exist.
    with pytest.raises(ClinicTimeError):
        clinic_datetime(GAP_DAY, datetime.time(2, 30), fold=1)


def test_a_repeated_time_needs_to_be_told_which_one():
    with pytest.raises(ClinicTimeError) as refused:
        clinic_datetime(REPEAT_DAY, datetime.time(1, 30))
    error = refused.value
    assert error.code == ClinicTimeError.AMBIGUOUS
    assert error.message.startswith(
        "1:30 AM happens twice on Sunday 7 November 2027: clocks go back from 2:00 to 1:00 AM."
    )
    assert "MDT" in error.message and "MST" in error.message
    assert clinic_datetime(REPEAT_DAY, datetime.time(1, 30), fold=0) == FIRST_130
    assert clinic_datetime(REPEAT_DAY, datetime.time(1, 30), fold=1) == SECOND_130


def test_times_around_the_changes_convert_as_before():
    assert clinic_datetime(GAP_DAY, datetime.time(1, 59)) == datetime.datetime(
        2027, 3, 14, 8, 59, tzinfo=datetime.UTC
    )
    assert clinic_datetime(GAP_DAY, datetime.time(3, 0)) == datetime.datetime(
        2027, 3, 14, 9, 0, tzinfo=datetime.UTC
    )
    assert clinic_datetime(REPEAT_DAY, datetime.time(2, 0)) == datetime.datetime(
        2027, 11, 7, 9, 0, tzinfo=datetime.UTC
    )


# --- Staff pages ------------------------------------------------------------------------------


@pytest.fixture
def session(roles):
    return GroupSessionFactory(
        title="Saturday integration",
        starts_at=local(datetime.date(2027, 3, 13), 18),
        ends_at=local(datetime.date(2027, 3, 13), 19, 30),
        room=RoomFactory(name="Cedar Room", capacity=10),
    )


def session_data(session_type, room, **overrides) -> dict:
    data = {
        "session_type": session_type.pk,
        "title": "Night watch",
        "date": GAP_DAY.isoformat(),
        "start_time": "02:30",
        "end_time": "04:00",
        "room": room.pk,
        "capacity": "8",
        "min_participants": "0",
    }
    data.update(overrides)
    return data


def staff_path(name: str, session: GroupSession, **overrides) -> tuple[str, dict]:
    """The URL and posted data of one staff path that reads a date and a start time."""
    full = session_data(session.session_type, session.room, **overrides)
    if name == "create":
        return reverse("sessions_app:staff_session_create"), full
    if name == "series":
        return reverse("sessions_app:staff_series_create"), {"weeks": "2", **full}
    if name == "edit":
        return reverse("sessions_app:staff_session_edit", args=[session.pk]), full
    keys = {
        "move": ("date", "start_time", "end_time", "start_fold", "end_fold", "room"),
        "duplicate": ("date", "start_time", "start_fold"),
    }
    view = {"move": "staff_session_reschedule", "duplicate": "staff_session_duplicate"}[name]
    data = {key: full[key] for key in keys[name] if key in full}
    return reverse(f"sessions_app:{view}", args=[session.pk]), data


STAFF_PATHS = ["create", "edit", "move", "duplicate", "series"]


def sessions_as_they_are() -> list[tuple]:
    return list(GroupSession.objects.order_by("pk").values_list("pk", "starts_at", "ends_at"))


@pytest.mark.parametrize("path", STAFF_PATHS)
def test_every_staff_path_refuses_a_start_in_the_spring_gap(staff_client, session, path):
    before = sessions_as_they_are()
    url, data = staff_path(path, session)
    response = staff_client(Role.COORDINATOR).post(url, data)
    assert response.status_code == 400
    assert response.context["form"].errors["start_time"] == [GAP_MESSAGE]
    assert GAP_MESSAGE in response.content.decode()
    assert sessions_as_they_are() == before


@pytest.mark.parametrize("path", ["create", "edit", "move", "series"])
def test_every_staff_path_refuses_an_end_in_the_spring_gap(staff_client, session, path):
    before = sessions_as_they_are()
    url, data = staff_path(path, session, start_time="01:00", end_time="02:30")
    response = staff_client().post(url, data)
    assert response.status_code == 400
    assert response.context["form"].errors["end_time"] == [GAP_MESSAGE]
    assert sessions_as_they_are() == before


@pytest.mark.parametrize("path", STAFF_PATHS)
def test_every_staff_path_asks_which_repeated_time_is_meant(staff_client, session, path):
    before = sessions_as_they_are()
    url, data = staff_path(path, session, date=REPEAT_DAY.isoformat(), start_time="01:30")
    response = staff_client().post(url, data)
    assert response.status_code == 400
    form = response.context["form"]
    [message] = form.errors["start_fold"]
    assert message.startswith("1:30 AM happens twice on Sunday 7 November 2027")
    page = response.content.decode()
    assert "Which 1:30 AM?" in page
    assert "first (MDT, before the clocks go back)" in page
    assert "second (MST, after)" in page
    assert 'name="start_fold"' in page
    assert sessions_as_they_are() == before


def test_the_repeated_time_question_appears_only_when_needed(staff_client, session):
    client = staff_client()
    assert (
        'name="start_fold"'
        not in client.get(reverse("sessions_app:staff_session_create")).content.decode()
    )
    url, data = staff_path("create", session, date="2027-11-14", start_time="01:30", capacity="99")
    response = client.post(url, data)
    assert response.status_code == 400  # refused for the capacity, not for the time
    assert 'name="start_fold"' not in response.content.decode()


@pytest.mark.parametrize(("choice", "instant"), [("first", FIRST_130), ("second", SECOND_130)])
@pytest.mark.parametrize("path", STAFF_PATHS)
def test_the_chosen_repeated_time_is_stored_as_its_instant(
    staff_client, session, path, choice, instant
):
    url, data = staff_path(
        path, session, date=REPEAT_DAY.isoformat(), start_time="01:30", start_fold=choice
    )
    response = staff_client().post(url, data)
    if path == "series":
        assert response.status_code == 200, response.context["form"].errors
        stored = response.context["created"][0]
    else:
        assert response.status_code == 302, response.context["form"].errors
        moved = path in ("edit", "move")
        others = GroupSession.objects.exclude(pk=session.pk)
        stored = GroupSession.objects.get(pk=session.pk) if moved else others.get()
    stored.refresh_from_db()
    assert stored.starts_at == instant


def test_an_end_in_the_repeated_hour_is_asked_about_too(staff_client, session):
    url, data = staff_path(
        "create", session, date=REPEAT_DAY.isoformat(), start_time="00:30", end_time="01:30"
    )
    client = staff_client()
    response = client.post(url, data)
    assert response.status_code == 400
    assert "end_fold" in response.context["form"].errors
    assert "start_fold" not in response.context["form"].errors
    assert client.post(url, {**data, "end_fold": "second"}).status_code == 302
    created = GroupSession.objects.get(title="Night watch")
    assert created.ends_at == SECOND_130
    assert created.ends_at - created.starts_at == datetime.timedelta(hours=2)


@pytest.mark.parametrize("path", ["edit", "move"])
def test_a_session_already_at_the_second_130_keeps_it_when_saved_again(staff_client, session, path):
    session.starts_at, session.ends_at = SECOND_130, SECOND_130 + datetime.timedelta(hours=1)
    session.save()
    client = staff_client()
    url, _ = staff_path(path, session)
    page = client.get(url)
    form = page.context["form"]
    assert 'name="start_fold"' in page.content.decode()
    assert form.initial["start_fold"] == "second"
    # Posted as the page shows it: same times, same answer.
    data = {
        name: form[name].value()
        for name in form.fields
        if form[name].value() not in (None, "") and name != "facilitators"
    }
    data = {k: v.strftime("%H:%M") if isinstance(v, datetime.time) else v for k, v in data.items()}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    session.refresh_from_db()
    assert session.starts_at == SECOND_130
    if path == "edit":
        assert session.sequence == 0  # not moved, so nobody was told of a change


# --- Weekly series ----------------------------------------------------------------------------


def test_series_lists_the_gap_date_as_needing_a_decision(staff_client, session):
    url, data = staff_path("series", session, date="2027-03-07", weeks="3")
    response = staff_client().post(url, data)
    assert response.status_code == 200
    created = [timezone.localtime(s.starts_at) for s in response.context["created"]]
    assert [(c.date(), c.time()) for c in created] == [
        (datetime.date(2027, 3, 7), datetime.time(2, 30)),
        (datetime.date(2027, 3, 21), datetime.time(2, 30)),
    ]
    assert response.context["skipped"] == [(GAP_DAY, [GAP_MESSAGE])]
    page = response.content.decode()
    assert "It needs a decision" in page
    assert GAP_MESSAGE in page
    assert GroupSession.objects.filter(starts_at__date=GAP_DAY).count() == 0


def test_series_lists_the_repeated_hour_as_needing_a_decision(session):
    details = scheduling.SessionDetails(
        session_type=session.session_type,
        title="Night watch",
        starts_at=local(datetime.date(2027, 10, 31), 1, 30),
        ends_at=local(datetime.date(2027, 10, 31), 3, 0),
        room=session.room,
        capacity=8,
    )
    result = scheduling.session_series_create(details=details, weeks=3)
    assert [timezone.localtime(s.starts_at).date() for s in result.created] == [
        datetime.date(2027, 10, 31),
        datetime.date(2027, 11, 14),
    ]
    [(day, [reason])] = result.skipped
    assert day == REPEAT_DAY
    assert reason.startswith("1:30 AM happens twice on Sunday 7 November 2027")


def test_series_from_a_chosen_repeated_time_keeps_that_wall_time_each_week(session):
    details = scheduling.SessionDetails(
        session_type=session.session_type,
        title="Night watch",
        starts_at=SECOND_130,
        ends_at=SECOND_130 + datetime.timedelta(hours=1),
        room=session.room,
        capacity=8,
    )
    result = scheduling.session_series_create(details=details, weeks=2)
    assert [GroupSession.objects.get(pk=s.pk).starts_at for s in result.created] == [
        SECOND_130,
        local(datetime.date(2027, 11, 14), 1, 30),
    ]


# --- Django admin -----------------------------------------------------------------------------


@pytest.mark.parametrize("start", ["2027-03-14 02:30:00", "2027-11-07 01:30:00"])
def test_admin_refuses_a_time_that_is_not_one_instant(staff_client, roles, start):
    day, time = start.split()
    data = {
        "session_type": SessionTypeFactory().pk,
        "title": "Added in admin",
        "starts_at_0": day,
        "starts_at_1": time,
        "ends_at_0": day,
        "ends_at_1": "04:00:00",
        "room": RoomFactory(capacity=10).pk,
        "capacity": "6",
        "min_participants": "0",
        "status": "draft",
        "cancellation_reason": "",
    }
    for prefix in ("enrollments", "waitlist_entries"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    response = staff_client(Role.ADMIN).post(reverse("admin:sessions_app_groupsession_add"), data)
    assert response.status_code == 200
    assert "starts_at" in response.context["adminform"].form.errors
    assert not GroupSession.objects.exists()
