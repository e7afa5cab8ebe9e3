"""The registry of message kinds: what each kind is called, and how the engine treats it.

The engine defines no kind of its own. Each app that sends messages declares its kinds in its
``messages`` module (a ``TextChoices`` plus one ``register`` call per kind) and imports it in its
``AppConfig.ready``; the outbox looks a row's kind up here when it plans, delivers or renders it.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet


@dataclass(frozen=True)
class MessageSpec:
    essential: bool = True  # always e-mailed; a participant cannot turn it off
    sms: bool = False  # also sent by text message to participants who opted in
    to_staff: bool = False  # staff messages ignore quiet hours
    # When the message stops being worth sending (a reminder after the session started).
    stale_at: Callable[[Any], datetime.datetime | None] | None = None
    default_path: str = "/"
    # Ends with the neutral support line (988, 911): check-in prompts and safety messages only.
    # Anywhere else (reminders, confirmations, account and staff e-mail) it would tell a reader
    # of a shared inbox what kind of care this is.
    support_line: bool = False
    # Template context made only when the message is sent (an account link with a token): never
    # stored in the row, so reading the outbox gives nobody a way in.
    send_time_context: Callable[[Any], dict] | None = None


@dataclass(frozen=True)
class Kind:
    value: str
    label: str
    spec: MessageSpec


_KINDS: dict[str, Kind] = {}
# Subjects are prefetched with these querysets so that rendering a batch runs no query per row.
_SUBJECT_QUERYSETS: list[Callable[[], QuerySet]] = []
# Each adds what a template may know of a row's subject (a session's day, time and place).
_SUBJECT_CONTEXTS: list[Callable[[Any, datetime.date], dict]] = []


def register(kind, spec: MessageSpec) -> None:
    """Add one kind (a member of an app's ``TextChoices``) with how it is sent."""
    _KINDS[str(kind)] = Kind(value=str(kind), label=kind.label, spec=spec)


def register_subject_queryset(factory: Callable[[], QuerySet]) -> None:
    """Let a model that messages concern (enrollments, offers, check-ins) join the prefetch."""
    _SUBJECT_QUERYSETS.append(factory)


def register_subject_context(context: Callable[[Any, datetime.date], dict]) -> None:
    """Add template context read from a row's subject: ``context(notification, sent_on)``.

    What it returns is part of ``rendering.render_key``: a batch renders messages whose context
    is the same once. Read the subject's details, never the recipient's (minimum necessary).
    """
    _SUBJECT_CONTEXTS.append(context)


def spec_for(kind: str) -> MessageSpec:
    return _KINDS[kind].spec


def label_for(kind: str) -> str:
    found = _KINDS.get(kind)
    return str(found.label) if found else kind


def all_kinds() -> dict[str, MessageSpec]:
    return {value: kind.spec for value, kind in _KINDS.items()}


def kind_choices() -> list[tuple[str, str]]:
    """The choices of ``Notification.kind``: every registered kind, in registration order."""
    return [(value, kind.label) for value, kind in _KINDS.items()]


def subject_querysets() -> list[QuerySet]:
    return [factory() for factory in _SUBJECT_QUERYSETS]


def subject_contexts() -> list[Callable[[Any, datetime.date], dict]]:
    return list(_SUBJECT_CONTEXTS)
