"""Clinical records are kept: the one deliberate way to remove some, each removal audited.

Nothing in normal operation deletes a screening, check-in, consent signature or safety alert
(Django admin offers no delete for them). When a record must go (a retention period has run out,
a record was made in error), an admin runs ``manage.py clinical_record_purge``, which calls
``clinical_record_purge`` here: it names the records one by one, says who and why, and leaves one
audit row per removed record.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import models, transaction
from django.db.models.deletion import ProtectedError

from participants.access import may_purge_clinical_records
from participants.models import (
    AuditAction,
    ConsentSignature,
    SafetyAlert,
    Screening,
    User,
)
from participants.services.audit import audit_event, record_opaque_id

# Every model that holds clinical records, by the name the command takes. Screening answers live
# in the screening (a JSON field). Apps above add theirs (``register_clinical_model``: the
# follow-up's check-ins, whose practices are many-to-many rows removed with them). Django admin
# refuses to delete any of these (``participants.admin.AuditedAdmin``).
CLINICAL_MODELS: dict[str, type[models.Model]] = {
    "screening": Screening,
    "consentsignature": ConsentSignature,
    "safetyalert": SafetyAlert,
}


def register_clinical_model(name: str, model: type[models.Model]) -> None:
    CLINICAL_MODELS[name] = model


# A reason is read years later by someone who was not there: a word or two is not one.
MIN_REASON_LENGTH = 10


class PurgeRefused(Exception):
    """The purge was refused; nothing was removed and nothing was written."""


@dataclass(frozen=True)
class PurgedRecord:
    record_type: str
    record_id: str


def clinical_model(name: str) -> type[models.Model]:
    """The clinical model a name means (``screening``, ``participants.CheckIn``, ``check-in``)."""
    key = name.strip().lower()
    for app_label in ("participants.", "followup."):
        key = key.removeprefix(app_label)
    key = key.replace("-", "").replace("_", "")
    if key not in CLINICAL_MODELS:
        raise PurgeRefused(
            f"{name!r} is not a clinical record; one of: {', '.join(sorted(CLINICAL_MODELS))}."
        )
    return CLINICAL_MODELS[key]


def _lookup(model: type[models.Model], ids: Sequence[str]) -> list[models.Model]:
    """The records named by their opaque ids (public id, else primary key); all must exist."""
    by_public_id = any(f.name == "public_id" for f in model._meta.fields)
    keys = []
    for raw in ids:
        try:
            keys.append(uuid.UUID(raw.strip()) if by_public_id else int(raw.strip()))
        except (ValueError, AttributeError):
            raise PurgeRefused(f"{raw!r} is not an id of a {model._meta.verbose_name}.") from None
    field = "public_id" if by_public_id else "pk"
    found = {getattr(r, field): r for r in model.objects.filter(**{f"{field}__in": keys})}
    missing = [str(key) for key in keys if key not in found]
    if missing:
        raise PurgeRefused(f"No {model._meta.verbose_name} with id {', '.join(missing)}.")
    return list(dict.fromkeys(found[key] for key in keys))


def _check_actor(actor: User) -> None:
    if not may_purge_clinical_records(actor):
        raise PurgeRefused(f"{actor.email} is not an active admin: only an admin may purge.")


def clinical_record_purge(
    *,
    model: str,
    ids: Sequence[str],
    reason: str,
    actor: User,
    via: str = "manage.py clinical_record_purge",
) -> list[PurgedRecord]:
    """Remove the named clinical records for retention, all or none: only by an active admin,
    only with a reason, each removal written to the audit log (who, which record, whose, why)."""
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON_LENGTH:
        raise PurgeRefused(
            f"Give the reason for removing clinical records (at least {MIN_REASON_LENGTH} "
            "characters): it is kept in the audit log."
        )
    if not ids:
        raise PurgeRefused("Name the records to remove, one id each.")
    _check_actor(actor)
    clinical = clinical_model(model)
    purged = []
    with transaction.atomic():
        for record in _lookup(clinical, ids):
            event = audit_event(
                actor=actor, action=AuditAction.DELETE, record=record, note=reason, user_agent=via
            )
            try:
                record.delete()
            except ProtectedError as error:
                holders = ", ".join(
                    f"{holder._meta.verbose_name} {record_opaque_id(holder)}"
                    for holder in error.protected_objects
                )
                raise PurgeRefused(
                    f"{event.record_type} {event.record_id} is still referred to by {holders}: "
                    "purge those first, or keep it."
                ) from None
            purged.append(PurgedRecord(event.record_type, event.record_id))
    return purged
