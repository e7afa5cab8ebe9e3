"""Recording reads and changes of clinical records in the append-only audit log."""

from django.db import models
from django.http import HttpRequest

from participants.models import AuditAction, AuditEvent
from participants.security import client_ip


def _record_label(record: models.Model | str) -> tuple[str, str]:
    if isinstance(record, str):
        return record, ""
    kind = record._meta.verbose_name
    record_id = getattr(record, "public_id", None) or record.pk
    return str(kind), str(record_id)


def audit_record(
    *,
    request: HttpRequest,
    action: str,
    record: models.Model | str,
    participant=None,
) -> AuditEvent:
    """Who (the signed-in user), what (action and record, by its opaque id), when and from where.

    ``participant`` defaults to the record's ``participant``; never pass clinical content.
    """
    if action not in AuditAction.values:
        raise ValueError(f"unknown audit action {action!r}")
    record_type, record_id = _record_label(record)
    if participant is None:
        participant = getattr(record, "participant", None)
    user = request.user if request.user.is_authenticated else None
    return AuditEvent.objects.create(
        actor=user,
        actor_email=user.email if user else "",
        action=action,
        record_type=record_type,
        record_id=record_id,
        participant=participant,
        ip_address=client_ip(request) or None,
        user_agent=request.headers.get("User-Agent", "")[:255],
    )
