"""Consent documents per language: a participant reads and signs the current version in their
language, the record keeps which, and a signature of version N in any language is version N."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from participants.models import ConsentDocument, ConsentSignature, Role
from participants.selectors import (
    consent_document_current,
    consent_is_current,
    consent_version_current,
    participant_next_step,
)
from participants.services.consent import (
    DEFAULT_CONSENT_BODY,
    DEFAULT_CONSENT_TITLE,
    ConsentRefused,
    consent_sign,
    ensure_default_consent_document,
)
from tests.auth import sign_in
from tests.factories import ApprovedScreeningFactory, ConsentDocumentFactory, ParticipantFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("screening_defaults")]

URL = "/me/consent/"


def sign_on_the_page(client, *, name: str = "Ana Ruiz"):
    """Open the consent page, then sign the text it showed, as a browser would."""
    shown = client.get(URL).context["document"]
    response = client.post(URL, {"document": shown.pk, "typed_name": name, "agree": "on"})
    assert response.status_code == 302, response.content.decode()[:500]
    return shown


def sign(participant, document) -> ConsentSignature:
    return consent_sign(
        participant=participant,
        document=document,
        typed_name=participant.get_full_name(),
        agreed=True,
        ip_address=None,
        user_agent="test",
    )


def publish(version: int, language: str, **kwargs) -> ConsentDocument:
    return ConsentDocumentFactory(
        version=version,
        language=language,
        title=f"Consent v{version} {language}",
        published_at=timezone.now() - datetime.timedelta(minutes=1),
        **kwargs,
    )


def test_the_default_consent_is_published_in_english_and_spanish():
    ensure_default_consent_document()  # again: nothing doubles
    documents = {d.language: d for d in ConsentDocument.objects.filter(version=1)}
    assert set(documents) == {"en", "es"}
    assert all(d.published_at is not None for d in documents.values())
    assert documents["en"].body == DEFAULT_CONSENT_BODY
    spanish = documents["es"].body
    # The crisis paragraph as the 988 Lifeline publishes its Spanish service.
    assert "llame o envíe un mensaje de texto al 988" in spanish
    assert "oprima el 2" in spanish and "envíe la palabra AYUDA al 988" in spanish
    assert "llame al 911" in spanish
    assert "usted" in spanish and " tú " not in spanish  # formal address throughout


def test_a_database_made_before_the_translation_gains_the_spanish_default_but_a_clinic_text_does_not():
    ConsentDocument.objects.filter(language="es").delete()
    ensure_default_consent_document()
    assert ConsentDocument.objects.filter(version=1, language="es").exists()

    # A version 1 the clinic wrote itself gets no translation of a different document.
    ConsentDocument.objects.filter(language="es").delete()
    ConsentDocument.objects.filter(version=1, language="en").update(body="Our own text.")
    ensure_default_consent_document()
    assert not ConsentDocument.objects.filter(language="es").exists()
    assert ConsentDocument.objects.get(version=1, language="en").title == DEFAULT_CONSENT_TITLE


def test_a_version_exists_once_per_language():
    publish(2, "en")
    publish(2, "es")  # the same consent in another language
    with pytest.raises(IntegrityError), transaction.atomic():
        publish(2, "es")


def test_spanish_reader_signs_the_spanish_version_and_the_record_keeps_it(participant_client):
    client = participant_client(first_name="Ana", last_name="Ruiz", language="es")
    page = client.get(URL)
    assert page.context["document"].language == "es"
    assert not page.context["not_in_your_language"]
    html = page.content.decode()
    assert 'lang="es"' in html and "oprima el 2" in html

    sign_on_the_page(client)
    signature = ConsentSignature.objects.select_related("document").get(participant=client.user)
    assert (signature.document.version, signature.document.language) == (1, "es")
    assert consent_is_current(participant=client.user)


def test_english_reader_signs_the_english_version(participant_client):
    client = participant_client(first_name="Ana", last_name="Ruiz", language="en")
    assert client.get(URL).context["document"].language == "en"
    sign_on_the_page(client)
    signature = ConsentSignature.objects.get(participant=client.user)
    assert (signature.document.version, signature.document.language) == (1, "en")


def test_a_spanish_signature_of_version_n_satisfies_version_n():
    participant = ParticipantFactory(language="es")
    ApprovedScreeningFactory(participant=participant)
    spanish = ConsentDocument.objects.get(version=1, language="es")
    sign(participant, spanish)
    assert consent_version_current() == 1
    assert consent_is_current(participant=participant)
    step, _latest, _approved = participant_next_step(participant=participant)
    assert step.code != "consent"

    # The same version in English is the same consent: signing it again returns the first record.
    participant.language = "en"
    participant.save(update_fields=["language"])
    assert sign(participant, consent_document_current(language="en")).document == spanish
    assert participant.consent_signatures.count() == 1


def test_new_english_version_without_spanish_shows_english_with_a_notice_and_must_be_signed(
    participant_client,
):
    client = participant_client(first_name="Ana", last_name="Ruiz", language="es")
    sign_on_the_page(client)
    assert consent_is_current(participant=client.user)

    publish(2, "en")
    assert not consent_is_current(participant=client.user)
    page = client.get(URL)
    assert (page.context["document"].version, page.context["document"].language) == (2, "en")
    assert page.context["not_in_your_language"]
    html = page.content.decode()
    assert 'role="note"' in html and "Inglés" in html  # the notice names the text's language
    assert page.context["signature"] is None and 'name="typed_name"' in html

    sign_on_the_page(client)
    latest = client.user.consent_signatures.select_related("document").latest("signed_at")
    assert (latest.document.version, latest.document.language) == (2, "en")
    assert consent_is_current(participant=client.user)

    # The Spanish text of version 2 published afterwards asks for nothing more.
    publish(2, "es")
    page = client.get(URL)
    assert page.context["document"].language == "es"
    assert page.context["signature"] == latest
    assert consent_is_current(participant=client.user)


def test_a_translation_published_ahead_of_its_clinic_version_is_not_yet_current():
    participant = ParticipantFactory(language="es")
    publish(2, "es")
    assert consent_version_current() == 1
    shown = consent_document_current(language="es")
    assert (shown.version, shown.language) == (1, "es")
    sign(participant, shown)
    assert consent_is_current(participant=participant)


def test_signing_a_text_other_than_the_one_shown_is_refused(participant_client):
    participant = ParticipantFactory(language="es")
    with pytest.raises(ConsentRefused):
        sign(participant, ConsentDocument.objects.get(version=1, language="en"))
    assert not participant.consent_signatures.exists()

    # The page read before a new version was published: nobody signs what they were not shown.
    client = participant_client(first_name="Ana", last_name="Ruiz", language="es")
    read = client.get(URL).context["document"]
    publish(2, "en")
    response = client.post(URL, {"document": read.pk, "typed_name": "Ana Ruiz", "agree": "on"})
    assert response.status_code == 302 and response.url == URL
    assert not client.user.consent_signatures.exists()


def test_admin_shows_and_filters_the_language_and_keeps_a_published_text(make_user):
    spanish = ConsentDocument.objects.get(version=1, language="es")
    participant = ParticipantFactory(language="es")
    sign(participant, spanish)
    admin = sign_in(make_user(Role.ADMIN))

    documents = admin.get(
        reverse("admin:participants_consentdocument_changelist"), {"language": "es"}
    )
    assert [d.pk for d in documents.context["cl"].result_list] == [spanish.pk]
    assert "Español" in documents.content.decode()
    change = admin.get(reverse("admin:participants_consentdocument_change", args=[spanish.pk]))
    assert "language" in change.context["adminform"].readonly_fields

    signatures = admin.get(
        reverse("admin:participants_consentsignature_changelist"), {"document__language": "es"}
    )
    assert [s.participant_id for s in signatures.context["cl"].result_list] == [participant.pk]
    assert "Español" in signatures.content.decode()
    english = admin.get(
        reverse("admin:participants_consentsignature_changelist"), {"document__language": "en"}
    )
    assert english.context["cl"].result_count == 0
