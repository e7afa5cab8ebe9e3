"""The messages a cohort sends: the welcome with the whole schedule, the staff's warning when a
cohort is below its minimum a week before it starts, and a member's note that something must be
done before a dosing session (``services.readiness``). Declared here once and registered with the
outbox by ``register`` (called from ``CohortsConfig.ready``); each one's words are the templates
named after it. Each session's reminders stay the sessions app's."""

import datetime

from django.db import models
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from cohorts.models import Cohort, CohortMember, CohortSession
from journease.clinic_time import local
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


K = CohortMessage


def _seat_start(notification) -> datetime.datetime | None:
    """A reminder of what to do before a session is worth nothing once it has started."""
    session = getattr(notification.subject, "session", None)
    return session.starts_at if session is not None else None


SPECS = {
    K.COHORT_WELCOME: MessageSpec(default_path="/me/sessions/"),
    K.STAFF_COHORT_BELOW_MINIMUM: MessageSpec(to_staff=True, default_path="/staff/"),
    K.COHORT_DOSING_NOT_READY: MessageSpec(
        sms=True, stale_at=_seat_start, default_path="/me/sessions/"
    ),
}


def dosing_not_ready_context(notification, sent_on: datetime.date) -> dict:
    """What the message about a seat not ready for its session may know: the problems' codes
    (``consent``, ``prerequisite``, ...; the words are the template's) and the program's neutral
    name, both kept in the row when it was planned."""
    if notification.kind != K.COHORT_DOSING_NOT_READY:
        return {}
    problems = notification.context.get("problems", [])
    return {
        "problems": [problem.split(":")[0] for problem in problems],
        "program_name": notification.context.get("program_name", ""),
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
        "program_name": cohort.template.public_name,
        "schedule": [
            {
                "name": session.session_type.public_name,
                "starts_at": local(session.starts_at),
                "ends_at": local(session.ends_at),
                "room": session.room,
            }
            for session in sessions
            if session.status != SessionStatus.CANCELLED
        ],
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
    kinds.register_subject_context(cohort_member_context)
    kinds.register_subject_context(dosing_not_ready_context)
