"""The review queue page: its rows as the person reads them, in each language, and its reads
(two compiled queries whatever the number of rows)."""

import datetime
import re

import pytest
from django.db import connection
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from participants.models import FlagSeverity, Role, SafetyLevel, Screening, ScreeningStatus
from participants.selectors import screening_recent_decisions, screening_review_queue
from participants.views.queue_rows import _Dates, _full_name
from tests.factories import (
    ApprovedScreeningFactory,
    ParticipantFactory,
    StaffFactory,
    SubmittedScreeningFactory,
)

pytestmark = pytest.mark.django_db

QUEUE = reverse("participants:review_queue")
CLINIC = timezone.get_default_timezone()
UTC = datetime.UTC

# Around midnight and noon, both daylight-saving changes in the clinic, a UTC evening that is
# the next clinic day, every month, the turn of the year.
INSTANTS = [
    datetime.datetime(2026, 3, 8, 8, 59, tzinfo=UTC),
    datetime.datetime(2026, 3, 8, 9, 0, tzinfo=UTC),
    datetime.datetime(2026, 11, 1, 7, 30, tzinfo=UTC),
    datetime.datetime(2026, 11, 1, 8, 30, tzinfo=UTC),
    datetime.datetime(2026, 12, 1, 0, 5, tzinfo=CLINIC),
    datetime.datetime(2026, 12, 1, 11, 59, tzinfo=CLINIC),
    datetime.datetime(2026, 12, 1, 12, 0, tzinfo=CLINIC),
    datetime.datetime(2026, 12, 1, 13, 7, tzinfo=CLINIC),
    datetime.datetime(2026, 12, 31, 23, 59, tzinfo=CLINIC),
    datetime.datetime(2027, 1, 1, 4, 0, tzinfo=UTC),
    *(datetime.datetime(2027, month, 9, 21, 45, tzinfo=UTC) for month in range(1, 13)),
]


def _filter(value, fmt: str) -> str:
    return Template(f'{{{{ value|date:"{fmt}" }}}}').render(Context({"value": value}))


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_queue_writes_dates_as_the_date_filter_does(language):
    with translation.override(language):
        dates = _Dates()
        for moment in INSTANTS:
            assert dates.time(moment) == _filter(moment, "j M, g:i A"), moment
            assert dates.day(moment) == _filter(moment, "j M Y"), moment
            assert dates.day(moment.date()) == _filter(moment.date(), "j M Y"), moment
        assert dates.time(None) == dates.day(None) == _filter(None, "j M Y") == ""


def _flags(absolute: int, relative: int) -> list[dict]:
    return [
        *(
            {"code": f"a{n}", "field": "x", "severity": FlagSeverity.ABSOLUTE}
            for n in range(absolute)
        ),
        *(
            {"code": f"r{n}", "field": "y", "severity": FlagSeverity.RELATIVE}
            for n in range(relative)
        ),
    ]


def _world() -> dict:
    alert = SubmittedScreeningFactory(
        participant=ParticipantFactory(first_name="Ada", last_name="O'Hara <b>", language="es"),
        safety_level=SafetyLevel.ALERT,
        flags=_flags(2, 1),
        submitted_at=datetime.datetime(2026, 12, 1, 19, 5, tzinfo=UTC),
    )
    review = SubmittedScreeningFactory(
        participant=ParticipantFactory(first_name="Bo", last_name="Lind"),
        status=ScreeningStatus.NEEDS_CONSULT,
        safety_level=SafetyLevel.REVIEW,
        flags=_flags(0, 3),
        submitted_at=datetime.datetime(2026, 12, 2, 6, 0, tzinfo=UTC),
    )
    decider = StaffFactory(role=Role.CLINICIAN, first_name="Cy", last_name="Moss")
    approved = ApprovedScreeningFactory(
        participant=ParticipantFactory(first_name="Di", last_name="Ng"),
        decided_by=decider,
        decided_at=datetime.datetime(2026, 12, 3, 2, 0, tzinfo=UTC),
        valid_until=datetime.date(2027, 6, 1),
    )
    declined = ApprovedScreeningFactory(
        participant=ParticipantFactory(first_name="Ed", last_name="Roe"),
        status=ScreeningStatus.DECLINED,
        decided_by=decider,
        decided_at=datetime.datetime(2026, 12, 2, 2, 0, tzinfo=UTC),
        valid_until=None,
    )
    return {"alert": alert, "review": review, "approved": approved, "declined": declined}


def _cells(html: str, table: int) -> list[list[str]]:
    """Each body row's cells, tags and spacing left out: what a screen reader reads."""
    body = html.split("<tbody>")[table + 1].split("</tbody>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body, re.S)
    return [
        [
            " ".join(re.sub(r"<[^>]+>", " ", cell).split())
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        ]
        for row in rows
    ]


@pytest.mark.parametrize(
    ("language", "expected_queue", "expected_recent"),
    [
        (
            "en",
            [
                [
                    "Ada O&#x27;Hara &lt;b&gt;",
                    "1 Dec, 12:05 PM",
                    "Español",
                    "Waiting for review Safety alert 2 absolute 1 relative",
                ],
                [
                    "Bo Lind",
                    "1 Dec, 11:00 PM",
                    "English",
                    "Clinician consult Safety review 3 relative",
                ],
            ],
            [
                ["Di Ng", "2 Dec 2026 · Cy Moss · Timeline", "Approved", "1 Jun 2027"],
                ["Ed Roe", "1 Dec 2026 · Cy Moss · Timeline", "Not approved", "—"],
            ],
        ),
        ("es", None, None),
    ],
)
def test_a_clinician_reads_each_row_status_flags_and_decision(
    staff_client, language, expected_queue, expected_recent
):
    world = _world()
    client = staff_client(Role.CLINICIAN, language=language)
    html = client.get(QUEUE).content.decode()
    queue, recent = _cells(html, 0), _cells(html, 1)
    if expected_queue is not None:
        assert queue == expected_queue
        assert recent == expected_recent
    else:  # every word in Spanish, every date as the filter writes it there
        with translation.override("es"):
            labels = {value: str(label) for value, label in ScreeningStatus.choices}
            assert queue[0][1] == _filter(world["alert"].submitted_at, "j M, g:i A")
            assert recent[1][1].startswith(_filter(world["declined"].decided_at, "j M Y"))
            assert queue[0][3].startswith(labels[ScreeningStatus.SUBMITTED])
            assert recent[1][2] == labels[ScreeningStatus.DECLINED]
            assert translation.gettext("Safety alert") in queue[0][3]
            assert translation.gettext("Timeline") in recent[0][1]
        assert "2 absolutos" in queue[0][3] and "Waiting for review" not in html
    for key in ("alert", "review", "approved", "declined"):
        link = reverse("participants:review_detail", args=[world[key].public_id])
        assert f'<a href="{link}">' in html
    timeline = reverse("followup:participant_timeline", args=[world["approved"].participant_id])
    assert f'<a href="{timeline}">' in html


def test_a_coordinator_reads_names_times_and_statuses_only(staff_client):
    world = _world()
    html = staff_client(Role.COORDINATOR).get(QUEUE).content.decode()
    assert _cells(html, 0) == [
        ["Ada O&#x27;Hara &lt;b&gt;", "1 Dec, 12:05 PM", "Español", "Waiting for review"],
        ["Bo Lind", "1 Dec, 11:00 PM", "English", "Clinician consult"],
    ]
    assert _cells(html, 1) == [
        ["Di Ng", "2 Dec 2026", "Approved", "1 Jun 2027"],
        ["Ed Roe", "1 Dec 2026", "Not approved", "—"],
    ]
    assert (
        "flag-" not in html and "Cy Moss" not in html and '<a href="/staff/screenings/' not in html
    )
    assert str(world["alert"].public_id) not in html


@pytest.mark.parametrize("rows", [1, 9])
def test_the_queue_reads_the_same_few_queries_whatever_its_length(
    staff_client, django_assert_num_queries, settings, rows
):
    settings.USER_FACTS_CACHE = True
    for _ in range(rows):
        _world()
    client = staff_client(Role.CLINICIAN)
    client.get(QUEUE)
    # The user, the audit row, the open alerts, the queue with its participants, the decisions
    # with their participants and deciders; and on SQLite the session and the person's facts
    # (which Redis answers in production).
    with django_assert_num_queries(5 if connection.vendor == "postgresql" else 7):
        response = client.get(QUEUE)
    assert len(response.context["queue"]) == 2 * rows
    assert len(response.context["recent"]) == 2 * rows


@pytest.mark.parametrize(
    ("first", "last"), [("Ada", "Lovelace"), ("", "Solo"), ("Cher", ""), ("", "")]
)
def test_the_queue_writes_a_name_as_the_account_does(first, last):
    person = ParticipantFactory.build(first_name=first, last_name=last)
    assert _full_name(first, last) == person.get_full_name()


def test_each_visit_reads_the_queue_and_the_decisions_as_they_are_then(django_assert_num_queries):
    world = _world()
    waiting = [world["alert"].public_id, world["review"].public_id]
    decided = [world["approved"].public_id, world["declined"].public_id]
    with django_assert_num_queries(2):
        queue, recent = screening_review_queue(), screening_recent_decisions()
        assert queue[0].participant_first_name == "Ada" and queue[0].participant_language == "es"
        assert recent[0].decided_by_last_name == "Moss"
    assert [screening.public_id for screening in queue] == waiting
    assert [screening.public_id for screening in recent] == decided
    assert queue[0].flags == world["alert"].flags
    assert {"answers", "decision_note"} <= queue[0].get_deferred_fields()  # never read here
    assert {"answers", "flags"} <= recent[0].get_deferred_fields()
    assert recent[0].valid_until == datetime.date(2027, 6, 1)
    Screening.objects.filter(pk=world["review"].pk).update(
        status=ScreeningStatus.APPROVED,
        decided_at=world["approved"].decided_at + datetime.timedelta(hours=1),
        valid_until=datetime.date(2027, 6, 2),
    )
    assert [screening.public_id for screening in screening_review_queue()] == waiting[:1]
    assert [screening.public_id for screening in screening_recent_decisions(limit=1)] == [
        world["review"].public_id
    ]
