"""Every message this app sends about screenings and safety alerts goes through these functions.

They write rows to the outbox (``outbox.services.planning``), in the
caller's transaction; urgent ones also wake the outbox sweep as soon as that transaction commits.
Messages carry the minimum necessary: no names, answers, scores or treatment, only that
something needs attention (or that a decision is ready) and a link to sign in.
"""

import logging
from collections.abc import Iterable

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from outbox.services.planning import notification_plan
from outbox.tasks import notifications_sweep
from participants.message_kinds import STAFF_NOTICES, ParticipantMessage
from participants.models import Role
from participants.services.accounts import users_with_role

logger = logging.getLogger(__name__)

K = ParticipantMessage


def _staff_path(kind: str, about) -> str:
    if kind == K.STAFF_NEW_SCREENING:
        return reverse("participants:review_detail", kwargs={"public_id": about.public_id})
    return reverse("participants:alert_detail", kwargs={"public_id": about.public_id})


def _send_soon() -> None:
    """Safety messages do not wait for the next minute's sweep."""
    transaction.on_commit(lambda: notifications_sweep.delay(), robust=True)


def staff_alert_notify(*, kind: str, recipients: Iterable, about) -> int:
    """Tell staff that a safety alert or a screening (``about``) needs them; returns how many.

    The message says only what kind of thing waits and links to it by its opaque id. Safety
    alerts ignore quiet hours and go out at once.
    """
    kind = K(kind)
    if kind not in STAFF_NOTICES:
        raise ValueError(f"not a staff notice: {kind}")
    now = timezone.now()
    planned = 0
    for user in recipients:
        if not user.is_active or not user.email:
            continue
        notification_plan(
            recipient=user,
            kind=kind.value,
            subject=about,
            due_at=now,
            context={"path": _staff_path(kind, about)},
            now=now,
        )
        planned += 1
    if kind != K.STAFF_NEW_SCREENING:
        _send_soon()
    logger.info("staff notice kind=%s planned=%s", kind.value, planned)
    return planned


def screening_decision_notify(*, screening) -> None:
    """Tell the participant that a clinician decided, with the next step and no clinical detail."""
    notification_plan(
        recipient=screening.participant,
        kind=K.SCREENING_DECISION,
        subject=screening,
        due_at=timezone.now(),
        context={"path": reverse("participants:me"), "status": screening.status},
    )


def staff_account_closed_notify(*, participant) -> int:
    """Tell the admins that a participant closed their account (the link names no one)."""
    now = timezone.now()
    admins = users_with_role(Role.ADMIN)
    path = reverse("admin:participants_user_change", args=[participant.pk])
    for admin_user in admins:
        notification_plan(
            recipient=admin_user,
            kind=K.STAFF_ACCOUNT_CLOSED,
            subject=participant,
            due_at=now,
            context={"path": path},
            now=now,
        )
    return len(admins)
