"""participants.0010_consent_language keeps every consent document and signature: the documents
a database already holds were written in the clinic's language, English, and say so afterwards.

The test leaves the database fully migrated, whatever happens (as tests/test_app_moves.py)."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from participants.models import ConsentDocument, ConsentSignature
from participants.selectors import consent_is_current
from participants.services.consent import ensure_default_consent_document

BEFORE = [("participants", "0009_instrument_translation")]
WHEN = datetime.datetime(2026, 11, 2, 17, 0, tzinfo=datetime.UTC)


def migrate_to(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(targets)
    if plan:
        executor.migrate(targets, plan=plan)
        executor = MigrationExecutor(connection)
    return executor


@pytest.fixture
def full_schema_afterwards(transactional_db):
    try:
        yield
    finally:
        leaves = MigrationExecutor(connection).loader.graph.leaf_nodes()
        migrate_to(leaves)


def test_existing_consent_documents_and_signatures_are_kept_as_english(full_schema_afterwards):
    ConsentSignature.objects.all().delete()
    ConsentDocument.objects.all().delete()  # the old schema allows one document per version
    executor = migrate_to(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    OldUser = old.get_model("participants", "User")
    OldDocument = old.get_model("participants", "ConsentDocument")
    OldSignature = old.get_model("participants", "ConsentSignature")
    person = OldUser.objects.create(
        email="kept@example.org", first_name="Kim", last_name="Kept", language="es"
    )
    document = OldDocument.objects.create(
        version=1, title="Our consent", body="Our own text.", published_at=WHEN
    )
    OldSignature.objects.create(
        participant=person, document=document, typed_name="Kim Kept", signed_at=WHEN
    )

    migrate_to(MigrationExecutor(connection).loader.graph.leaf_nodes())

    kept = ConsentDocument.objects.get(pk=document.pk)
    assert (kept.version, kept.language, kept.body) == (1, "en", "Our own text.")
    signature = ConsentSignature.objects.get(participant_id=person.pk)
    assert signature.document_id == kept.pk
    assert consent_is_current(participant=signature.participant)
    # Version 1 may now exist once more, in Spanish, and no more.
    ConsentDocument.objects.create(version=1, language="es", title="t", body="b")
    with pytest.raises(IntegrityError), transaction.atomic():
        ConsentDocument.objects.create(version=1, language="es", title="t", body="b")
    # The clinic's own version 1 gets no translation of the default text.
    ConsentDocument.objects.filter(language="es").delete()
    ensure_default_consent_document()
    assert list(ConsentDocument.objects.values_list("language", flat=True)) == ["en"]
