"""Every message this app sends about screenings and safety alerts goes through these functions.

They write rows to the notifications outbox (``sessions_app.services.notifications``), in the
caller's transaction; urgent ones also wake the outbox sweep as soon as that transaction commits.
Messages carry the minimum necessary: no names, answers, scores or treatment, only that
something needs attention (or that a decision is ready) and a link to sign in.
"""

import logging
from collections.abc import Iterable

from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


class StaffNotice(models.TextChoices):
    """Staff messages of this app; the values are the outbox's notification kinds."""

    SAFETY_ALERT = "staff_safety_alert", _("A safety alert needs attention")
    SAFETY_ALERT_ESCALATED = "staff_safety_escalation", _("A safety alert is unacknowledged")
    SCREENING_TO_REVIEW = "staff_new_screening", _("A new screening to review")


def _staff_path(kind: str, about) -> str:
    if kind == StaffNotice.SCREENING_TO_REVIEW:
        return reverse("participants:review_detail", kwargs={"public_id": about.public_id})
    return reverse("participants:alert_detail", kwargs={"public_id": about.public_id})


def _send_soon() -> None:
    """Safety messages do not wait for the next minute's sweep."""
    from sessions_app.tasks import notifications_sweep

    transaction.on_commit(lambda: notifications_sweep.delay(), robust=True)


def staff_alert_notify(*, kind: str, recipients: Iterable, about) -> int:
    """Tell staff that a safety alert or a screening (``about``) needs them; returns how many.

    The message says only what kind of thing waits and links to it by its opaque id. Safety
    alerts ignore quiet hours and go out at once.
    """
    from sessions_app.services.notifications import notification_plan

    kind = StaffNotice(kind)
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
    if kind != StaffNotice.SCREENING_TO_REVIEW:
        _send_soon()
    logger.info("staff notice kind=%s planned=%s", kind.value, planned)
    return planned


def screening_decision_notify(*, screening) -> None:
    """Tell the participant that a clinician decided, with the next step and no clinical detail."""
    from sessions_app.models import NotificationKind
    from sessions_app.services.notifications import notification_plan

    notification_plan(
        recipient=screening.participant,
        kind=NotificationKind.SCREENING_DECISION,
        subject=screening,
        due_at=timezone.now(),
        context={"path": reverse("participants:me"), "status": screening.status},
    )


def staff_account_closed_notify(*, participant) -> int:
    """Tell the admins that a participant closed their account (the link names no one)."""
    from participants.models import Role
    from participants.services.accounts import users_with_role
    from sessions_app.models import NotificationKind
    from sessions_app.services.notifications import notification_plan

    now = timezone.now()
    admins = users_with_role(Role.ADMIN)
    path = reverse("admin:participants_user_change", args=[participant.pk])
    for admin_user in admins:
        notification_plan(
            recipient=admin_user,
            kind=NotificationKind.STAFF_ACCOUNT_CLOSED,
            subject=participant,
            due_at=now,
            context={"path": path},
            now=now,
        )
    return len(admins)
