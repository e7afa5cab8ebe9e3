"""Choosing the language: the switch on every page, its cookie, the account's preference, the
browser's language for visitors; and what stays in the clinic's language (audit rows, exports)."""

import csv
import io

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from participants.models import AuditEvent, Role, User
from tests.auth import sign_in
from tests.factories import EnrollmentFactory, GroupSessionFactory, ParticipantFactory
from tests.participants.test_account_pages import profile_data
from tests.participants.test_signup import signup_data

pytestmark = pytest.mark.django_db

SWITCH = reverse("participants:language")
COOKIE = settings.LANGUAGE_COOKIE_NAME


def lang_of(response) -> str:
    html = response.content.decode()
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def test_a_visitors_browser_language_chooses_the_page_language(client, roles):
    assert lang_of(client.get("/", HTTP_ACCEPT_LANGUAGE="es-MX,es;q=0.9")) == "es"
    assert lang_of(client.get("/", HTTP_ACCEPT_LANGUAGE="en-US")) == "en"
    assert lang_of(client.get("/", HTTP_ACCEPT_LANGUAGE="fr-FR")) == "en"


def test_the_switch_keeps_a_visitors_choice_in_a_cookie_and_returns_to_the_page(client, roles):
    page = client.get("/sessions/")
    assert 'name="language" value="es"' in page.content.decode()
    response = client.post(SWITCH, {"language": "es", "return_to": "/sessions/?month=2026-12"})
    assert response.status_code == 302
    assert response.url == "/sessions/?month=2026-12"
    cookie = response.cookies[COOKIE]
    assert cookie.value == "es" and cookie["httponly"] and cookie["samesite"] == "Lax"
    spanish = client.get("/sessions/", HTTP_ACCEPT_LANGUAGE="en-US")
    assert lang_of(spanish) == "es"
    assert "Sesiones" in spanish.content.decode()
    # ...and the switch now offers the way back, named in its own language.
    assert ">English</button>" in spanish.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {"language": "fr", "return_to": "/sessions/"},
        {"language": "", "return_to": "/sessions/"},
        {"language": "es' OR 1=1", "return_to": "/sessions/"},
        {"return_to": "/sessions/"},
    ],
)
def test_an_unknown_language_changes_nothing(client, roles, data):
    response = client.post(SWITCH, data)
    assert response.status_code == 302 and response.url == "/sessions/"
    assert COOKIE not in response.cookies


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", ""]
)
def test_the_switch_never_sends_anyone_off_the_site(client, roles, target):
    response = client.post(SWITCH, {"language": "es", "return_to": target})
    assert response.status_code == 302 and response.url == "/"


def test_the_switch_is_a_post_only(client, roles):
    assert client.get(SWITCH + "?language=es").status_code == 405


def test_a_signed_in_persons_account_language_wins_and_the_switch_changes_it(roles):
    person = ParticipantFactory(language="es")
    client = sign_in(person)
    assert lang_of(client.get(reverse("participants:me"), HTTP_ACCEPT_LANGUAGE="en")) == "es"
    client.cookies[COOKIE] = "en"
    assert lang_of(client.get(reverse("participants:me"))) == "es"  # the account, not the cookie
    client.post(SWITCH, {"language": "en", "return_to": "/me/"})
    person.refresh_from_db()
    assert person.language == "en"
    assert lang_of(client.get(reverse("participants:me"))) == "en"


def test_choosing_spanish_on_the_sign_in_page_holds_after_signing_in(roles):
    person = ParticipantFactory(email="ana@example.org")
    assert person.language == "en"
    client = Client()
    client.post(SWITCH, {"language": "es", "return_to": "/accounts/login/"})
    from tests.factories import TEST_PASSWORD

    response = client.post(
        reverse("participants:login"), {"username": "ana@example.org", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.language == "es"


def test_the_browsers_language_alone_never_changes_an_account(roles):
    person = ParticipantFactory(email="bo@example.org")
    from tests.factories import TEST_PASSWORD

    Client().post(
        reverse("participants:login"),
        {"username": "bo@example.org", "password": TEST_PASSWORD},
        HTTP_ACCEPT_LANGUAGE="es",
    )
    person.refresh_from_db()
    assert person.language == "en"


def test_the_profile_keeps_the_language_and_refuses_an_unknown_one(participant_client):
    client = participant_client()
    response = client.post(reverse("participants:profile"), profile_data(language="es"))
    assert response.status_code == 302
    assert User.objects.get(pk=client.user.pk).language == "es"
    refused = client.post(reverse("participants:profile"), profile_data(language="xx"))
    assert refused.status_code == 200
    assert refused.context["form"].errors["language"]
    assert User.objects.get(pk=client.user.pk).language == "es"


def test_signing_up_in_spanish_makes_a_spanish_account_and_a_spanish_e_mail(
    client, roles, django_capture_on_commit_callbacks
):
    client.post(SWITCH, {"language": "es", "return_to": "/accounts/signup/"})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("participants:signup"), signup_data())
    assert response.status_code == 302
    user = User.objects.get()
    assert user.language == "es"
    message = mail.outbox[-1]
    assert "Confirme" in message.subject or "confirme" in message.body.lower()
    assert "Please" not in message.body


def test_rosters_and_alerts_show_a_participants_language(staff_client, roles):
    from tests.factories import SafetyAlertFactory

    person = ParticipantFactory(language="es", first_name="Lucía")
    session = GroupSessionFactory()
    EnrollmentFactory(participant=person, session=session)
    clinician = staff_client(Role.CLINICIAN)
    roster = clinician.get(reverse("sessions_app:staff_session_roster", args=[session.pk]))
    assert 'lang="es"' in roster.content.decode() and "Español" in roster.content.decode()
    alert = SafetyAlertFactory(participant=person)
    listing = clinician.get(reverse("participants:alert_list")).content.decode()
    assert "language-badge" in listing and "Español" in listing
    detail = clinician.get(
        reverse("participants:alert_detail", kwargs={"public_id": alert.public_id})
    ).content.decode()
    assert "Español" in detail


def test_exports_and_the_audit_log_stay_in_the_clinics_language(staff_client, roles):
    clinician = staff_client(Role.CLINICIAN)
    User.objects.filter(pk=clinician.user.pk).update(language="es")
    page = clinician.get(reverse("followup:outcomes"))
    assert lang_of(page) == "es"  # the clinician reads Spanish...
    export = clinician.get(reverse("followup:outcomes_csv"))
    rows = list(csv.reader(io.StringIO(export.content.decode())))
    english = clinician.get(reverse("followup:outcomes_csv"), HTTP_ACCEPT_LANGUAGE="en")
    assert rows == list(csv.reader(io.StringIO(english.content.decode())))
    User.objects.filter(pk=clinician.user.pk).update(language="en")
    in_english = list(
        csv.reader(io.StringIO(clinician.get(reverse("followup:outcomes_csv")).content.decode()))
    )
    assert rows == in_english  # ...the export is the same words either way
    from tests.factories import SafetyAlertFactory

    alert = SafetyAlertFactory(participant=ParticipantFactory(language="es"))
    User.objects.filter(pk=clinician.user.pk).update(language="es")
    clinician.get(reverse("participants:alert_detail", kwargs={"public_id": alert.public_id}))
    event = AuditEvent.objects.filter(participant=alert.participant).latest("pk")
    assert event.record_type == "safety alert"  # not "alerta de seguridad"


def test_a_spanish_readers_request_leaves_the_threads_language_as_it_was(roles):
    """A worker thread serves the next request (or job) in its own language, not the last
    reader's: the account's language holds for its request only, and says so in the header."""
    from django.utils import translation

    client = sign_in(ParticipantFactory(language="es"))
    with translation.override("en"):
        response = client.get(reverse("participants:me"))
        assert translation.get_language() == "en"
    assert response.headers["Content-Language"] == "es"


def test_a_link_from_a_message_opens_in_its_readers_language_on_a_new_device(roles):
    visitor = Client()
    response = visitor.get("/me/?lang=es")
    assert response.status_code == 302  # to the sign-in page...
    assert response.cookies[COOKIE].value == "es"  # ...which the device now reads in Spanish
    assert lang_of(visitor.get(response.url)) == "es"


def test_a_link_never_overwrites_a_choice_the_device_made(roles):
    visitor = Client()
    visitor.cookies[COOKIE] = "en"
    response = visitor.get("/sessions/?lang=es")
    assert lang_of(response) == "es"  # the page the link names, in the link's language
    assert COOKIE not in response.cookies  # the device's own choice stays
    assert lang_of(visitor.get("/sessions/")) == "en"


@pytest.mark.parametrize("value", ["fr", "", "es-ES-x", "<script>", "es'"])
def test_an_unknown_language_in_a_link_is_ignored(client, roles, value):
    response = client.get("/sessions/", {"lang": value}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and lang_of(response) == "en"
    assert COOKIE not in response.cookies


def test_message_links_carry_the_readers_language_only_when_it_is_not_the_clinics(roles):
    from django.utils import translation

    from outbox.rendering import link_to

    with translation.override("es"):
        assert link_to("/me/sessions/").endswith("/me/sessions/?lang=es")
        assert link_to("/programs/?cohort=3").endswith("/programs/?cohort=3&lang=es")
    with translation.override("en"):
        assert link_to("/me/sessions/").endswith("/me/sessions/")
