"""The roster's forms are told apart: unique ids, each label on its own control, every control
named, so a click on a label or a screen reader lands in the right form."""

import datetime
from collections import Counter
from html.parser import HTMLParser

import pytest
import time_machine
from django.urls import reverse

from participants.models import Role
from tests.factories import (
    EnrollmentFactory,
    GroupSessionFactory,
    ParticipantFactory,
    WaitlistEntryFactory,
)

pytestmark = pytest.mark.usefixtures("roles")

NOW = datetime.datetime(2026, 3, 2, 17, 0, tzinfo=datetime.UTC)

LABELABLE = {"input", "select", "textarea", "button", "meter", "output", "progress"}


class FormsOnPage(HTMLParser):
    """Reads a page's ids, labels and controls, and the form and fieldset each one sits in."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = 0
        self.form_stack: list[int] = []
        self.fieldsets: list[dict] = []
        self.fieldset_stack: list[dict] = []
        self.ids: list[str] = []
        self.elements: dict[str, dict] = {}
        self.labels: list[dict] = []
        self.controls: list[dict] = []
        self.open_labels: list[dict] = []
        self.in_legend = False

    @property
    def form(self) -> int | None:
        return self.form_stack[-1] if self.form_stack else None

    def handle_starttag(self, tag, attrs):
        attrs = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.forms += 1
            self.form_stack.append(self.forms)
        elif tag == "fieldset":
            fieldset = {"legend": "", "radios": set()}
            self.fieldsets.append(fieldset)
            self.fieldset_stack.append(fieldset)
        elif tag == "legend":
            self.in_legend = True
        element = {"tag": tag, "attrs": attrs, "form": self.form}
        if "id" in attrs:
            self.ids.append(attrs["id"])
            self.elements.setdefault(attrs["id"], element)
        if tag == "label":
            label = {"for": attrs.get("for"), "form": self.form, "text": ""}
            self.labels.append(label)
            self.open_labels.append(label)
        if tag in ("input", "select", "textarea") and attrs.get("type") not in (
            "hidden",
            "submit",
            "button",
        ):
            element["inside_label"] = bool(self.open_labels)
            self.controls.append(element)
            if attrs.get("type") == "radio" and self.fieldset_stack:
                self.fieldset_stack[-1]["radios"].add(attrs.get("name"))

    def handle_endtag(self, tag):
        if tag == "form" and self.form_stack:
            self.form_stack.pop()
        elif tag == "fieldset" and self.fieldset_stack:
            self.fieldset_stack.pop()
        elif tag == "legend":
            self.in_legend = False
        elif tag == "label" and self.open_labels:
            self.open_labels.pop()

    def handle_data(self, data):
        for label in self.open_labels:
            label["text"] += data
        if self.in_legend and self.fieldset_stack:
            self.fieldset_stack[-1]["legend"] += data

    def name_of(self, control: dict) -> str:
        """The control's accessible name, as far as labels and aria-label give it."""
        attrs = control["attrs"]
        if attrs.get("aria-label"):
            return attrs["aria-label"]
        if attrs.get("aria-labelledby"):
            return attrs["aria-labelledby"]
        texts = [label["text"] for label in self.labels if label["for"] == attrs.get("id")]
        return " ".join(" ".join(text.split()) for text in texts)


def read(html: str) -> FormsOnPage:
    page = FormsOnPage()
    page.feed(html)
    page.close()
    return page


def form_problems(html: str) -> list[str]:
    """Duplicate ids, labels pointing elsewhere than a control of their own form, nameless
    controls."""
    page = read(html)
    problems = [f"id {id_!r} is used {n} times" for id_, n in Counter(page.ids).items() if n > 1]
    for label in page.labels:
        if label["for"] is None:
            continue
        target = page.elements.get(label["for"])
        if target is None or target["tag"] not in LABELABLE:
            problems.append(f"label {label['text'].split()} points at no control")
        elif target["form"] != label["form"]:
            problems.append(f"label {label['text'].split()} points at a control of another form")
    for control in page.controls:
        if not control.get("inside_label") and not page.name_of(control):
            problems.append(f"{control['tag']} {control['attrs'].get('name')!r} has no name")
    return problems


def roster_html(client, session) -> str:
    response = client.get(reverse("sessions_app:staff_session_roster", args=[session.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def full_session():
    """Two seats taken, the third held by an open offer, one more person waiting."""
    session = GroupSessionFactory(capacity=3)
    for first, last in (("Ada", "Bloom"), ("Ben", "Carter")):
        EnrollmentFactory(
            session=session, participant=ParticipantFactory(first_name=first, last_name=last)
        )
    WaitlistEntryFactory(session=session, offered=True)
    WaitlistEntryFactory(session=session)
    return session


@time_machine.travel(NOW, tick=False)
def test_roster_with_seats_offer_and_waitlist_has_unique_ids_and_labels_in_their_form(
    staff_client, full_session
):
    html = roster_html(staff_client(Role.COORDINATOR), full_session)
    # The page shows every form it is about: enroll, cancel, move.
    assert "Enroll someone" in html and "Cancel a seat" in html and "Move to another" in html
    assert form_problems(html) == []


@time_machine.travel(NOW, tick=False)
def test_roster_controls_have_names_that_tell_them_apart(staff_client, full_session):
    page = read(roster_html(staff_client(Role.COORDINATOR), full_session))
    names = [page.name_of(control) for control in page.controls]
    assert all(names), names
    assert [name for name, n in Counter(names).items() if n > 1] == []
    assert any("cancel" in name.lower() for name in names)
    assert any("move" in name.lower() for name in names)


@time_machine.travel(NOW, tick=False)
def test_attendance_choices_are_grouped_under_each_persons_name(staff_client):
    session = GroupSessionFactory(starts_at=NOW - datetime.timedelta(hours=3))
    seats = [
        EnrollmentFactory(
            session=session, participant=ParticipantFactory(first_name=first, last_name="Rowe")
        )
        for first in ("Cleo", "Dara")
    ]
    html = roster_html(staff_client(Role.COORDINATOR), session)
    assert form_problems(html) == []
    page = read(html)
    radio_names = {c["attrs"]["name"] for c in page.controls if c["attrs"].get("type") == "radio"}
    assert len(radio_names) == len(seats)
    for seat in seats:
        groups = [
            fieldset
            for fieldset in page.fieldsets
            if seat.participant.get_full_name() in " ".join(fieldset["legend"].split())
        ]
        assert len(groups) == 1, seat.participant.get_full_name()
        assert len(groups[0]["radios"]) == 1 and groups[0]["radios"] <= radio_names
