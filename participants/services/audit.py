"""Recording reads and changes of clinical records in the append-only audit log."""

from collections.abc import Iterable

from django.db import models
from django.http import HttpRequest

from journease.clinic_language import clinic_language
from participants.models import AuditAction, AuditEvent, User
from participants.request_info import client_ip, user_agent

# A list's note names its filter and the records on the page; a page holds at most a few hundred
# opaque ids, so the cap only stops a pathological query string from filling the log.
_NOTE_MAX = 20_000


def _record_label(record: models.Model | str) -> tuple[str, str]:
    if isinstance(record, str):
        return record, ""
    kind = record._meta.verbose_name
    return str(kind), record_opaque_id(record)


def record_opaque_id(record: models.Model) -> str:
    """The id the audit log names a record by: its public id where it has one, else its key."""
    return str(getattr(record, "public_id", None) or record.pk)


def audit_event(
    *,
    actor: User | None,
    action: str,
    record: models.Model | str,
    participant=None,
    note: str = "",
    ip_address: str | None = None,
    user_agent: str = "",
) -> AuditEvent:
    """One audit row: who, what (action and record, by its opaque id), whose, when, from where.

    ``participant`` defaults to the record's ``participant``; never pass clinical content.
    """
    if action not in AuditAction.values:
        raise ValueError(f"unknown audit action {action!r}")
    with clinic_language():
        record_type, record_id = _record_label(record)
    if participant is None:
        participant = getattr(record, "participant", None)
    return AuditEvent.objects.create(
        actor=actor,
        actor_email=actor.email if actor else "",
        action=action,
        record_type=record_type,
        record_id=record_id,
        participant=participant,
        ip_address=ip_address or None,
        user_agent=user_agent[:255],
        note=note[:_NOTE_MAX],
    )


def audit_record(
    *,
    request: HttpRequest,
    action: str,
    record: models.Model | str,
    participant=None,
    note: str = "",
) -> AuditEvent:
    """Who (the signed-in user), what (action and record, by its opaque id), when and from where.

    ``participant`` defaults to the record's ``participant``; never pass clinical content.
    """
    user = request.user if request.user.is_authenticated else None
    return audit_event(
        actor=user,
        action=action,
        record=record,
        participant=participant,
        note=note,
        ip_address=client_ip(request),
        user_agent=user_agent(request),
    )


def audit_own_record(
    *, request: HttpRequest, action: str, record: models.Model | str
) -> AuditEvent:
    """A participant read or took what is theirs but names nobody (the consent text, their data
    export): the row is theirs, so it shows among their records."""
    return audit_record(request=request, action=action, record=record, participant=request.user)


def audit_list(
    *,
    request: HttpRequest,
    model: type[models.Model],
    shown: Iterable[models.Model],
    total: int,
    filters: str,
    place: str,
) -> AuditEvent:
    """A list of clinical records was shown: one row naming the model, where (``place``, e.g.
    Django admin), the filter (the query string) and the opaque id of every record shown."""
    ids = [record_opaque_id(record) for record in shown]
    note = (
        f"{place}; filter: {filters or '(none)'}; "
        f"{len(ids)} of {total} shown: {', '.join(ids) if ids else '(none)'}"
    )
    return audit_record(
        request=request,
        action=AuditAction.VIEW,
        record=f"{model._meta.verbose_name} list",
        note=note,
    )


def audit_data_export(*, request: HttpRequest) -> AuditEvent:
    """A participant downloaded everything we hold about them (either format): one row, theirs."""
    return audit_own_record(request=request, action=AuditAction.EXPORT, record="data export")
