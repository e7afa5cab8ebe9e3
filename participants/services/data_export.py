"""The right of access: everything the clinic holds about a participant, and closing an account.

One export feeds both the JSON download and the readable document, so they always hold the same
records. Each section is a list of records; each record keeps its fields' own labels.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.db import models, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from outbox.models import Notification
from outbox.services.planning import notifications_cancel_to
from participants.access import is_participant
from participants.instruments import QUESTIONS
from participants.models import (
    AuditEvent,
    ConsentSignature,
    ParticipantProfile,
    Screening,
    User,
)
from participants.services.notify import staff_account_closed_notify

logger = logging.getLogger(__name__)

# Never exported: secrets and bookkeeping that means nothing to the person.
_SKIPPED_FIELDS = {
    "id",
    "password",
    "participant",
    "user",
    "recipient",
    "review_notice_sent_at",
    "decision_notice_sent_at",
    "subject_type",
    "subject_id",
    "context",
    "claimed_at",
    "next_attempt_at",
    "last_error",
    "attempts",
    "is_superuser",
    "is_staff",
}


@dataclass
class ExportSection:
    key: str
    title: str
    records: list[list[tuple[str, str, object]]] = field(default_factory=list)

    def as_json(self) -> list[dict]:
        return [{name: value for name, _label, value in record} for record in self.records]

    def readable(self) -> list[list[tuple[str, str, object]]]:
        """The same records with times written for a person, in the clinic's zone."""
        return [
            [(name, label, _readable(value)) for name, label, value in record]
            for record in self.records
        ]


def _readable(value):
    if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
        try:
            moment = datetime.datetime.fromisoformat(value)
        except ValueError:
            return value
        return date_format(timezone.localtime(moment), _("j F Y, g:i A T"))
    if isinstance(value, str) and len(value) == 10 and value[4:5] == "-":
        try:
            return date_format(datetime.date.fromisoformat(value), _("j F Y"))
        except ValueError:
            return value
    return value


def _value(instance: models.Model, model_field: models.Field):
    value = getattr(instance, model_field.attname)
    if model_field.choices and value not in (None, ""):
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(model_field, models.ForeignKey):
        related = getattr(instance, model_field.name)
        return str(related) if related is not None else None
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if value is not None and not isinstance(value, str | int | float | bool | list | dict):
        return str(value)
    return value


def export_record(instance: models.Model, *, skip: set[str] = frozenset()) -> list[tuple]:
    return [
        (f.name, str(f.verbose_name), _value(instance, f))
        for f in instance._meta.concrete_fields
        if f.name not in _SKIPPED_FIELDS and f.name not in skip
    ]


def _screening_record(screening: Screening) -> list[tuple]:
    record = export_record(screening, skip={"answers"})
    answers = {}
    for code, answer in screening.answers.items():
        question = QUESTIONS.get(code)
        label = str(question.label) if question else code
        choices = {str(k): v for k, v in question.choices} if question else {}
        if isinstance(answer, list):
            answers[label] = [str(choices.get(str(item), item)) for item in answer]
        else:
            answers[label] = str(choices.get(str(answer), answer))
    record.append(("answers", _("Answers"), answers))
    return record


# Other apps add their sections (check-ins, seats, waitlist places) with
# ``register_export_section``; ``position`` orders them among this app's own.
_EXTRA_SECTIONS: list[tuple[int, object]] = []
POSITION_CHECKINS, POSITION_SESSIONS, POSITION_WAITLIST = 10, 20, 30


def register_export_section(builder, *, position: int) -> None:
    """``builder(participant) -> ExportSection``; called for every export."""
    _EXTRA_SECTIONS.append((position, builder))
    _EXTRA_SECTIONS.sort(key=lambda item: item[0])


def _messages_section(participant: User) -> ExportSection:
    rows = Notification.objects.filter(recipient=participant).order_by("due_at")
    return ExportSection(
        "messages", _("Messages we planned or sent you"), [export_record(n) for n in rows]
    )


def participant_data(*, participant: User) -> list[ExportSection]:
    """Every record the clinic holds about ``participant``, readable by them."""
    account = ExportSection(
        "account", _("Your account"), [export_record(participant, skip={"groups", "last_login"})]
    )
    profile = ParticipantProfile.objects.filter(user=participant).first()
    sections = [account]
    if profile:
        sections.append(ExportSection("profile", _("Your details"), [export_record(profile)]))
    sections.append(
        ExportSection(
            "screenings",
            _("Screening questionnaires"),
            [
                _screening_record(s)
                for s in Screening.objects.filter(participant=participant)
                .select_related("decided_by")
                .order_by("created_at")
            ],
        )
    )
    sections.append(
        ExportSection(
            "consent",
            _("Consent signatures"),
            [
                export_record(s)
                for s in ConsentSignature.objects.filter(participant=participant)
                .select_related("document")
                .order_by("signed_at")
            ],
        )
    )
    sections.extend(builder(participant) for _position, builder in _EXTRA_SECTIONS)
    sections.append(_messages_section(participant))
    sections.append(
        ExportSection(
            "access_log",
            _("Who opened your records"),
            [
                export_record(e, skip={"actor", "user_agent"})
                for e in AuditEvent.objects.filter(participant=participant).order_by("at")
            ],
        )
    )
    return sections


def participant_data_json(*, participant: User) -> dict:
    return {
        "exported_at": timezone.localtime().isoformat(),
        **{section.key: section.as_json() for section in participant_data(participant=participant)},
    }


class AccountCloseRefused(Exception):
    pass


# Other apps release what the person holds (future seats, waitlist places) when an account closes.
_CLOSE_HOOKS: list = []


def register_close_hook(hook) -> None:
    """``hook(participant=..., now=...)``, run inside the closing transaction."""
    _CLOSE_HOOKS.append(hook)


def participant_account_close(*, participant: User, now: datetime.datetime | None = None) -> None:
    """Close a participant's account at their request: they can no longer sign in, their future
    seats and pending messages are released, staff are told, and every record is kept as the
    law requires."""
    now = now or timezone.now()
    if not is_participant(participant):
        raise AccountCloseRefused(_("Only participant accounts are closed here."))
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=participant.pk)
        if not locked.is_active:
            raise AccountCloseRefused(_("This account is already closed."))
        for hook in _CLOSE_HOOKS:
            hook(participant=locked, now=now)
        notifications_cancel_to(recipient_ids=[locked.pk], reason="account closed")
        User.objects.filter(pk=locked.pk).update(is_active=False)
        staff_account_closed_notify(participant=locked)
    logger.info("participant account closed user_id=%s", participant.pk)
