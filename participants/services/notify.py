"""Every message this app sends about screenings and safety alerts goes through these functions.

Today they send e-mail directly; the notifications outbox will take their place here, so callers
do not change. Messages carry the minimum necessary: no names, answers, scores or treatment,
only that something needs attention (or that a decision is ready) and a link to sign in.
"""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from participants.emails import send_templated_email

logger = logging.getLogger(__name__)


class StaffNotice(models.TextChoices):
    """Staff messages of this app; the values are the outbox's notification kinds."""

    SAFETY_ALERT = "staff_safety_alert", _("A safety alert needs attention")
    SAFETY_ALERT_ESCALATED = "staff_safety_escalation", _("A safety alert is unacknowledged")
    SCREENING_TO_REVIEW = "staff_new_screening", _("A new screening to review")


def _staff_link(kind: str, about) -> str:
    if kind == StaffNotice.SCREENING_TO_REVIEW:
        path = reverse("participants:review_detail", kwargs={"public_id": about.public_id})
    else:
        path = reverse("participants:alert_detail", kwargs={"public_id": about.public_id})
    return f"{settings.SITE_URL}{path}"


def staff_alert_notify(*, kind: str, recipients: Iterable, about) -> int:
    """Tell staff that a safety alert or a screening (``about``) needs them; returns how many.

    The message says only what kind of thing waits and links to it by its opaque id.
    """
    kind = StaffNotice(kind)
    link = _staff_link(kind, about)
    sent = 0
    for user in recipients:
        if not user.is_active or not user.email:
            continue
        send_templated_email(
            template="emails/staff_notice",
            to=user.email,
            context={"kind": kind.value, "headline": kind.label, "link": link},
        )
        sent += 1
    logger.info("staff notice kind=%s sent=%s", kind.value, sent)
    return sent


def screening_decision_notify(*, screening) -> None:
    """Tell the participant that a clinician decided, with the next step and no clinical detail."""
    participant = screening.participant
    send_templated_email(
        template="emails/screening_decision",
        to=participant.email,
        context={
            "name": participant.display_name,
            "status": screening.status,
            "link": f"{settings.SITE_URL}{reverse('participants:me')}",
        },
    )
