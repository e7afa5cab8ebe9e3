"""The messages a cohort sends: the welcome with the whole schedule, leaving (one message for every
seat given up), the waitlist's offer of a place and its closing at join-until, a member's note
that something must be done before a dosing session (``services.readiness``), and the staff's
warning when a cohort is below its minimum a week before it starts. Declared here once and
registered with the outbox by ``register`` (called from ``CohortsConfig.ready``); each one's words
are the templates named after it. Each session's reminders stay the sessions app's."""

import datetime
from types import SimpleNamespace

from django.db import models
from django.db.models import Prefetch
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from cohorts.models import Cohort, CohortMember, CohortSession, CohortWaitlistEntry
from journease.clinic_time import local
from journease.reader_language import in_reader_language
from outbox import kinds
from outbox.kinds import MessageSpec
from sessions_app.models import SessionStatus


class CohortMessage(models.TextChoices):
    COHORT_WELCOME = "cohort_welcome", _("Program: welcome with the whole schedule")
    STAFF_COHORT_BELOW_MINIMUM = (
        "staff_cohort_below_minimum",
        _("Staff: a program group below its minimum a week before"),
    )
    COHORT_DOSING_NOT_READY = (
        "cohort_dosing_not_ready",
        _("Program: something to do before a group session"),
    )
    COHORT_LEFT = "cohort_left", _("Program: you have left the group")
    COHORT_WAITLIST_OFFER = "cohort_waitlist_offer", _("Program: a place offered from the waitlist")
    COHORT_WAITLIST_CLOSED = "cohort_waitlist_closed", _("Program: the waitlist has closed")


K = CohortMessage


def _seat_start(notification) -> datetime.datetime | None:
    """A reminder of what to do before a session is worth nothing once it has started."""
    session = getattr(notification.subject, "session", None)
    return session.starts_at if session is not None else None


def _offer_expiry(notification) -> datetime.datetime | None:
    value = notification.context.get("expires_at")
    return parse_datetime(value) if value else None


SPECS = {
    K.COHORT_WELCOME: MessageSpec(default_path="/me/sessions/"),
    K.STAFF_COHORT_BELOW_MINIMUM: MessageSpec(to_staff=True, default_path="/staff/"),
    K.COHORT_DOSING_NOT_READY: MessageSpec(
        sms=True, stale_at=_seat_start, default_path="/me/sessions/"
    ),
    K.COHORT_LEFT: MessageSpec(default_path="/me/sessions/"),
    # A stale offer (past its expiry) is never sent; its link is the program's page.
    K.COHORT_WAITLIST_OFFER: MessageSpec(
        sms=True, stale_at=_offer_expiry, default_path="/programs/"
    ),
    K.COHORT_WAITLIST_CLOSED: MessageSpec(default_path="/programs/"),
}


def dosing_not_ready_context(notification, sent_on: datetime.date) -> dict:
    """What the message about a seat not ready for its session may know: the problems' codes
    (``consent``, ``prerequisite``, ...; the words are the template's) and the program's neutral
    name (in English and Spanish, the reader's picked when sent), kept in the row when it was
    planned."""
    if notification.kind != K.COHORT_DOSING_NOT_READY:
        return {}
    problems = notification.context.get("problems", [])
    names = SimpleNamespace(
        program_name=notification.context.get("program_name", ""),
        program_name_es=notification.context.get("program_name_es", ""),
    )
    return {
        "problems": [problem.split(":")[0] for problem in problems],
        "program_name": in_reader_language(names, "program_name"),
    }


def cohort_member_context(notification, sent_on: datetime.date) -> dict:
    """What a template may know of the program a member joined: its neutral name and the whole
    schedule (each session's neutral name, local start and end, room), first to last, without
    the cancelled sessions. Never a step's purpose (free text that may name the treatment) and
    nothing of the other members."""
    member = notification.subject
    if not isinstance(member, CohortMember):
        return {}
    cohort = member.cohort
    sessions = sorted(
        (link.session for link in cohort.cohort_sessions.all()),
        key=lambda session: (session.starts_at, session.pk),
    )
    return {
        "program_name": in_reader_language(cohort.template, "public_name"),
        "schedule": [
            {
                "name": in_reader_language(session.session_type, "public_name"),
                "starts_at": local(session.starts_at),
                "ends_at": local(session.ends_at),
                "room": session.room,
            }
            for session in sessions
            if session.status != SessionStatus.CANCELLED
        ],
    }


def cohort_waitlist_context(notification, sent_on: datetime.date) -> dict:
    """What a waitlist message may know: the program's neutral name and start date; nothing of
    anyone else in line."""
    entry = notification.subject
    if not isinstance(entry, CohortWaitlistEntry):
        return {}
    return {
        "program_name": in_reader_language(entry.cohort.template, "public_name"),
        "program_starts_on": entry.cohort.start_date,
    }


def cohort_context(notification, sent_on: datetime.date) -> dict:
    """What a message about a whole cohort (to staff) may know: its neutral name and start date,
    read when sent, so the date is written in the reader's language."""
    cohort = notification.subject
    if not isinstance(cohort, Cohort):
        return {}
    return {
        "program_name": cohort.template.public_name,
        "program_starts_on": cohort.start_date,
    }


def cohort_left_context(notification, sent_on: datetime.date) -> dict:
    """The dates a member gave up by leaving (local starts kept in the row's context)."""
    if notification.kind != K.COHORT_LEFT:
        return {}
    return {
        "given_up": [
            local(parse_datetime(value)) for value in notification.context.get("given_up", [])
        ]
    }


def register() -> None:
    for kind in CohortMessage:
        kinds.register(kind, SPECS[kind])
    kinds.register_subject_queryset(lambda: Cohort.objects.select_related("template"))
    kinds.register_subject_queryset(
        lambda: CohortMember.objects.select_related(
            "cohort__template", "cohort__room"
        ).prefetch_related(
            Prefetch(
                "cohort__cohort_sessions",
                queryset=CohortSession.objects.select_related(
                    "session__session_type", "session__room"
                ),
            )
        )
    )
    kinds.register_subject_context(cohort_context)
    kinds.register_subject_context(cohort_member_context)
    kinds.register_subject_context(dosing_not_ready_context)
    kinds.register_subject_queryset(
        lambda: CohortWaitlistEntry.objects.select_related("cohort__template")
    )
    kinds.register_subject_context(cohort_waitlist_context)
    kinds.register_subject_context(cohort_left_context)
