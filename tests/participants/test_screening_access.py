"""Who may open which screening, alert and consent page: role by role, own and someone else's.

Participants reach only their own records (someone else's id is a 404); coordinators see statuses
but never answers or scores; clinicians and admins see clinical detail; only clinicians who
decide eligibility decide, and they and admins edit the flag rules.
"""

import pytest
from django.test import Client
from django.urls import reverse

from participants.models import AlertStatus, FlagRule, Role
from participants.selectors import consent_document_current
from tests.auth import sign_in
from tests.factories import (
    ParticipantFactory,
    SafetyAlertFactory,
    ScreeningFactory,
    SubmittedScreeningFactory,
    screening_answers,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("screening_defaults")]

ROLES = ["anonymous", "owner", "other", "coordinator", "clinician", "decider", "admin"]
LOGIN = "login"


@pytest.fixture
def world(make_user):
    owner = ParticipantFactory()
    draft = ScreeningFactory(participant=owner)
    submitted = SubmittedScreeningFactory(
        participant=ParticipantFactory(),
        answers=screening_answers(phq9_1=3),
        phq9_total=3,
        flags=[{"code": "heart-disease", "field": "heart_disease", "severity": "relative",
                "message": "Heart disease"}],
    )  # fmt: skip
    alert = SafetyAlertFactory(participant=owner)
    people = {
        "anonymous": None,
        "owner": owner,
        "other": ParticipantFactory(),
        "coordinator": make_user(Role.COORDINATOR),
        "clinician": make_user(Role.CLINICIAN),
        "decider": make_user(Role.CLINICIAN, permissions=["decide_eligibility"]),
        "admin": make_user(Role.ADMIN),
    }
    return {"draft": draft, "submitted": submitted, "alert": alert, "people": people}


def client_for(world, role: str) -> Client:
    if world["people"][role] is None:
        return Client()
    return sign_in(world["people"][role])


def outcome(response) -> object:
    if response.status_code == 302 and "/accounts/login/" in response.url:
        return LOGIN
    return response.status_code


# (page, method, data, expected per role in ROLES order)
PARTICIPANT_OWN = [LOGIN, 200, 404, 403, 403, 403, 403]
PARTICIPANT_ANY = [LOGIN, 200, 200, 403, 403, 403, 403]
PAGES = {
    "me": ("participants:me", None, "GET", {}, PARTICIPANT_ANY),
    "consent": ("participants:consent_sign", None, "GET", {}, PARTICIPANT_ANY),
    "consent_post": (
        "participants:consent_sign",
        None,
        "POST",
        {"document": "current", "typed_name": "x", "agree": "on"},
        [LOGIN, 200, 200, 403, 403, 403, 403],
    ),
    "start": ("participants:screening_start", None, "POST", {}, [LOGIN, 302, 302, 403, 403, 403, 403]),
    "screening": ("participants:screening_detail", "draft", "GET", {}, PARTICIPANT_OWN),
    "section": ("participants:screening_section", "draft", "GET", {"slug": "phq9"}, PARTICIPANT_OWN),
    "section_post": (
        "participants:screening_section",
        "draft",
        "POST",
        {"slug": "medical"},
        [LOGIN, 200, 404, 403, 403, 403, 403],
    ),
    "support": ("participants:screening_support", "draft", "GET", {}, PARTICIPANT_OWN),
    "submit": ("participants:screening_submit", "draft", "POST", {}, [LOGIN, 302, 404, 403, 403, 403, 403]),
    "queue": ("participants:review_queue", None, "GET", {}, [LOGIN, 403, 403, 200, 200, 200, 200]),
    "review": ("participants:review_detail", "submitted", "GET", {}, [LOGIN, 403, 403, 403, 200, 200, 200]),
    "decide": (
        "participants:review_detail",
        "submitted",
        "POST",
        {"decision": "approved", "note": "OK"},
        [LOGIN, 403, 403, 403, 403, 302, 403],
    ),
    "alerts": ("participants:alert_list", None, "GET", {}, [LOGIN, 403, 403, 403, 200, 200, 200]),
    "alert": ("participants:alert_detail", "alert", "GET", {}, [LOGIN, 403, 403, 403, 200, 200, 200]),
    "acknowledge": (
        "participants:alert_acknowledge",
        "alert",
        "POST",
        {},
        [LOGIN, 403, 403, 403, 302, 302, 302],
    ),
    "close": (
        "participants:alert_detail",
        "alert",
        "POST",
        {"outreach_note": "Phoned."},
        # Clinicians reach the form; the service refuses closing an unacknowledged alert.
        [LOGIN, 403, 403, 403, 302, 302, 302],
    ),
    "rules": ("participants:flag_rule_list", None, "GET", {}, [LOGIN, 403, 403, 403, 403, 200, 200]),
    "rule_edit": ("participants:flag_rule_edit", "rule", "GET", {}, [LOGIN, 403, 403, 403, 403, 200, 200]),
    "rule_new": ("participants:flag_rule_create", None, "GET", {}, [LOGIN, 403, 403, 403, 403, 200, 200]),
}  # fmt: skip


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page_name", PAGES)
def test_access_matrix(world, page_name, role):
    name, target, method, data, expected = PAGES[page_name]
    data = dict(data)
    kwargs = {}
    if target == "rule":
        kwargs["pk"] = FlagRule.objects.get(code="age-65").pk
    elif target:
        kwargs["public_id"] = world[target].public_id
    if "slug" in data:
        kwargs["slug"] = data.pop("slug")
    if data.get("document") == "current":  # the consent page posts the text it showed
        data["document"] = consent_document_current().pk
    url = reverse(name, kwargs=kwargs)
    client = client_for(world, role)
    response = client.get(url) if method == "GET" else client.post(url, data)
    assert outcome(response) == expected[ROLES.index(role)]


def test_coordinator_sees_statuses_but_no_scores_flags_or_answers(world):
    html = client_for(world, "coordinator").get(reverse("participants:review_queue")).content
    html = html.decode()
    assert world["submitted"].participant.get_full_name() in html
    assert "Waiting for review" in html
    assert "flag-" not in html and "Heart disease" not in html
    assert reverse("participants:review_detail", args=[world["submitted"].public_id]) not in html


def test_clinician_sees_flags_in_the_queue(world):
    html = client_for(world, "clinician").get(reverse("participants:review_queue")).content
    assert "flag-relative" in html.decode()


def test_urls_name_records_by_opaque_id_only(world):
    url = reverse("participants:review_detail", args=[world["submitted"].public_id])
    assert str(world["submitted"].pk) not in url.split("/")
    assert len(url.split("/")[-2]) == 36


def test_closing_someone_elses_alert_through_the_page_is_refused(world, make_user):
    from participants.services.alerts import safety_alert_acknowledge

    alert = world["alert"]
    safety_alert_acknowledge(alert=alert, clinician=world["people"]["clinician"])
    client = client_for(world, "decider")
    client.post(
        reverse("participants:alert_detail", args=[alert.public_id]), {"outreach_note": "x"}
    )
    alert.refresh_from_db()
    assert alert.status == AlertStatus.ACKNOWLEDGED
