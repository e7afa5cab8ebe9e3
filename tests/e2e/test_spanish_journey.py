"""A participant who reads Spanish, all the way in the browser: the switch on the home page, sign-up
and the confirming e-mail, the screening (PHQ-9, GAD-7 and the C-SSRS in a loaded translation: the
fixture marked as test data, shown with its notice), consent, enrollment with a ride home, the
calendar entry, and a week check-in reached from its e-mail.

Every page the participant sees, and every message they get, is checked for English: the visible
text and the attributes read aloud (labels, titles, placeholders), with ``tests.english``. Staff
steps (the clinician's decision, attendance) are the clinic's and stay in English.
"""

import datetime
import re
from pathlib import Path

import icalendar
import pytest
import time_machine
from django.utils import timezone, translation
from playwright.sync_api import Page, expect

from followup.models import CheckIn, CheckInKind
from followup.services.checkins import ensure_default_practices
from participants.instruments import SECTIONS
from participants.models import ConsentSignature, Screening, User
from sessions_app.models import Enrollment, EnrollmentStatus, SessionStatus
from sessions_app.services.attendance import attendance_record
from tests.e2e.people import last_mail_to, links_in, section_answer, staff_sign_in
from tests.e2e.test_journeys import base_url, clinic, clinic_time, people  # noqa: F401 - fixtures
from tests.english import english_words
from tests.factories import (
    TEST_PASSWORD,
    EnrollmentFactory,
    GroupSessionFactory,
    PreparationSessionTypeFactory,
    screening_answers,
)
from tests.outbox import delivered
from tests.participants.instrument_data import load_test_translations

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("screening_defaults"),
]

EMAIL = "valeria@example.org"
# Proper names the pages may show in any language: the clinic, the person, the room, the driver.
NAMES = frozenset({"journease", "valeria", "ríos", "enebro", "sam"})
# The instruments' test-data wording names its keys ("respuesta not_difficult"): not page text.
TEST_DATA_LINE = re.compile(r"^.*\[Datos de prueba\].*$", re.MULTILINE)

READ_ALOUD = """() => {
  const parts = [document.title, document.body.innerText];
  for (const element of document.querySelectorAll('[aria-label], [title], [placeholder], [alt]')) {
    for (const name of ['aria-label', 'title', 'placeholder', 'alt']) {
      if (element.getAttribute(name)) parts.push(element.getAttribute(name));
    }
  }
  for (const input of document.querySelectorAll('input[type=submit], input[type=button]')) {
    parts.push(input.value);
  }
  return parts.join('\\n');
}"""


def es(text: str) -> str:
    """The catalogue's Spanish for ``text`` (and proof that there is one)."""
    with translation.override("es"):
        spanish = translation.gettext(text)
    assert spanish != text, f"no Spanish for {text!r}"
    return spanish


def assert_spanish(page: Page, seen: list[str]) -> None:
    """The page is in Spanish: its language, and no English word in what is shown or read aloud."""
    expect(page.locator("html")).to_have_attribute("lang", "es")
    said = TEST_DATA_LINE.sub(" ", page.evaluate(READ_ALOUD))
    english = english_words(said, allowed=NAMES)
    assert not english, f"{page.url}: English on the page: {english}"
    seen.append(page.url)


def assert_spanish_mail(message) -> None:
    english = english_words(f"{message.subject}\n{message.body}", allowed=NAMES)
    assert not english, f"English in {message.subject!r}: {english}"


def sign_in_in_spanish(page: Page, seen: list[str]) -> None:
    assert_spanish(page, seen)
    page.locator("[name=username]").fill(EMAIL)
    page.locator("[name=password]").fill(TEST_PASSWORD)
    page.get_by_role("button", name=es("Sign in"), exact=True).click()
    sign_out = es("Sign out (%(name)s)").split("%(name)s")[0]
    expect(page.get_by_role("button", name=re.compile("^" + re.escape(sign_out)))).to_be_visible()


def answer_the_screening(page: Page, seen: list[str]) -> None:
    answers = screening_answers()
    page.get_by_role("button", name=es("Start the screening")).click()
    assert_spanish(page, seen)
    page.get_by_role("link", name=es("Continue"), exact=True).click()
    for section in SECTIONS:
        with translation.override("es"):
            title = str(section.title)
        expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible()
        assert_spanish(page, seen)
        if section.slug in ("phq9", "gad7", "cssrs"):
            # The loaded translation's words, and its notice: test data, not the validated text.
            expect(page.locator(".test-data-notice")).to_be_visible()
        section_answer(page, section, answers)
        page.get_by_role(
            "button", name=re.compile(f"^({es('Save and continue')}|{es('Save and review')})$")
        ).click()
    assert_spanish(page, seen)
    page.get_by_role("button", name=es("Submit for review")).click()
    assert_spanish(page, seen)


def test_a_spanish_speaking_participant_goes_from_sign_up_to_a_check_in_all_in_spanish(
    people,  # noqa: F811 - a fixture
    base_url,  # noqa: F811
    clinic,  # noqa: F811
):
    load_test_translations()  # PHQ-9, GAD-7 and C-SSRS: the fixture marked as test data
    ensure_default_practices()
    session_type = clinic["dosing"]
    session_type.name_es = "Sesión grupal con ketamina"
    session_type.public_name_es = "Sesión de grupo"
    session_type.preparation_instructions_es = (
        "No coma nada durante las 4 horas anteriores. Alguien de su confianza le llevará a casa."
    )
    session_type.save()
    room = clinic["room"]
    room.name, room.location, room.directions_es = "Sala Enebro", "410 S 300 E", "Segundo piso."
    room.save()
    day = timezone.localdate() + datetime.timedelta(days=4)
    dosing = GroupSessionFactory(
        session_type=session_type,
        title="Thursday group",
        title_es="Grupo del jueves",
        room=room,
        medical_monitor=clinic["nurse"],
        starts_at=clinic_time(day, 10),
        ends_at=clinic_time(day, 13),
    )
    seen: list[str] = []

    # A visitor chooses Español on the home page; every page after is in Spanish.
    participant = people.new_page()
    participant.goto(base_url + "/")
    participant.get_by_role("button", name="Español").click()
    assert_spanish(participant, seen)
    participant.get_by_role("link", name=es("Create an account")).first.click()
    assert_spanish(participant, seen)
    participant.locator("[name=first_name]").fill("Valeria")
    participant.locator("[name=last_name]").fill("Ríos")
    participant.locator("[name=date_of_birth]").fill("1986-09-14")
    participant.locator("[name=email]").fill(EMAIL)
    participant.locator("[name=phone]").fill("(801) 555-0142")
    participant.locator("[name=password1]").fill(TEST_PASSWORD)
    participant.locator("[name=password2]").fill(TEST_PASSWORD)
    participant.get_by_role("button", name=es("Create my account")).click()
    expect(participant.get_by_role("heading", name=es("Check your e-mail"))).to_be_visible()
    assert_spanish(participant, seen)
    valeria = User.objects.get(email=EMAIL)
    assert valeria.language == "es"

    confirm = last_mail_to(EMAIL)
    assert_spanish_mail(confirm)
    participant.goto(next(link for link in links_in(confirm) if "/accounts/verify/" in link))
    sign_in_in_spanish(participant, seen)

    # The screening, in the loaded translation; the wording each was answered in is recorded.
    participant.goto(base_url + "/me/")
    assert_spanish(participant, seen)
    answer_the_screening(participant, seen)
    screening = Screening.objects.get(participant=valeria)
    assert {
        slug: record["language"] for slug, record in screening.instrument_languages.items()
    } == {
        "phq9": "es",
        "gad7": "es",
        "cssrs": "es",
    }
    assert all(record["test_data"] for record in screening.instrument_languages.values())

    clinician = people.new_page()
    staff_sign_in(clinician, base_url, clinic["prescriber"])
    clinician.goto(base_url + "/staff/screenings/")
    expect(clinician.locator("main")).to_contain_text("Español")  # the queue shows her language
    clinician.get_by_role("link", name="Valeria Ríos").click()
    clinician.get_by_label("Approve").check()
    clinician.get_by_label("Note for the record").fill("No contraindications; fine to proceed.")
    clinician.get_by_role("button", name="Record the decision").click()
    expect(clinician.locator("main")).to_contain_text("Approved")
    assert_spanish_mail(last_mail_to(EMAIL))  # the decision, in her language

    # Consent: the Spanish text, and the record keeps which.
    participant.goto(base_url + "/me/")
    assert_spanish(participant, seen)
    participant.get_by_role("link", name=es("Read and sign the consent")).click()
    assert_spanish(participant, seen)
    participant.locator("[name=typed_name]").fill("Valeria Ríos")
    participant.locator("[name=agree]").check()
    participant.get_by_role("button", name=es("Sign the consent")).click()
    assert_spanish(participant, seen)
    assert ConsentSignature.objects.get(participant=valeria).document.language == "es"

    # The preparation circle she attended (what this journey is not about), then enrollment.
    EnrollmentFactory(
        participant=valeria,
        status=EnrollmentStatus.ATTENDED,
        session=GroupSessionFactory(
            session_type=PreparationSessionTypeFactory(name="Preparation circle"),
            starts_at=timezone.now() - datetime.timedelta(days=3),
            status=SessionStatus.COMPLETED,
        ),
    )
    participant.goto(base_url + "/sessions/")
    assert_spanish(participant, seen)
    participant.get_by_role("link", name="Grupo del jueves", exact=True).click()
    assert_spanish(participant, seen)
    participant.locator("[name=ride_home_name]").fill("Sam Ríos")
    participant.locator("[name=ride_home_phone]").fill("(801) 555-0177")
    participant.locator("[name=instructions_acknowledged]").check()
    participant.get_by_role("button", name=es("Enroll")).click()
    assert_spanish(participant, seen)
    enrollment = Enrollment.objects.get(participant=valeria, session=dosing)
    assert enrollment.status == EnrollmentStatus.ENROLLED
    assert_spanish_mail(last_mail_to(EMAIL))  # the confirmation

    participant.goto(base_url + "/me/sessions/")
    assert_spanish(participant, seen)
    seat = participant.locator("li.card", has_text="Grupo del jueves")
    with participant.expect_download() as download:
        seat.get_by_role("link", name=re.compile(re.escape(es("Add to calendar (.ics)")))).click()
    calendar = icalendar.Calendar.from_ical(Path(download.value.path()).read_bytes())
    (event,) = calendar.walk("VEVENT")
    assert str(event.get("summary")) == "Sesión de grupo en Journease"
    participant.context.close()

    # After the session: attendance is taken, and a week later the check-in's e-mail arrives.
    attendance_record(
        session=dosing,
        marks={enrollment.pk: EnrollmentStatus.ATTENDED},
        now=dosing.ends_at + datetime.timedelta(minutes=20),
    )
    week = CheckIn.objects.get(participant=valeria, kind=CheckInKind.WEEK)
    with time_machine.travel(week.opens_at + datetime.timedelta(minutes=5), tick=True):
        delivered()
        prompt = last_mail_to(EMAIL)
        assert_spanish_mail(prompt)
        link = next(link for link in links_in(prompt) if "/me/check-ins/" in link)
        participant = people.new_page()
        participant.goto(link)
        sign_in_in_spanish(participant, seen)
        assert_spanish(participant, seen)
        expect(participant.locator(".test-data-notice").first).to_be_visible()
        participant.locator("[name='mood'][value='6']").check()
        participant.get_by_label(es("Somatic (body-based) practice")).check()
        for code in [f"phq9_{n}" for n in range(1, 10)] + [f"gad7_{n}" for n in range(1, 8)]:
            participant.locator(f"[name='{code}'][value='1']").check()
        participant.locator("[name='phq9_9'][value='0']").check()
        participant.locator("[name=reflection]").fill("Me siento más tranquila.")
        participant.get_by_role("button", name=es("Send my check-in")).click()
        expect(participant.get_by_text(es("Thank you: your check-in is saved."))).to_be_visible()
        assert_spanish(participant, seen)
    week.refresh_from_db()
    assert (week.mood, week.phq9_total, week.gad7_total) == (6, 8, 7)
    assert week.instrument_languages["phq9"]["language"] == "es"
    assert len(seen) >= 20, seen
