"""The follow-up's messages: integration prompts after an attended dosing session, the week and
month check-ins, and the reminder of an unanswered one. Declared here once and registered with
the outbox by ``register`` (called from ``FollowUpConfig.ready``); each invites the participant to
check in, so each ends with the support line."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from followup.models import CheckIn
from outbox import kinds
from outbox.kinds import MessageSpec


class FollowUpMessage(models.TextChoices):
    INTEGRATION_SELF_COMPASSION = "integration_self_compassion", _("Integration: self-compassion")
    INTEGRATION_SOMATIC = "integration_somatic", _("Integration: somatic practice")
    CHECKIN_WEEK = "checkin_week", _("Check-in after a week")
    CHECKIN_MONTH = "checkin_month", _("Check-in after a month")
    CHECKIN_NUDGE = "checkin_nudge", _("Check-in reminder")


K = FollowUpMessage
# The prompts that open a check-in (a correction to no-show withdraws them).
PROMPT_KINDS = (
    K.INTEGRATION_SELF_COMPASSION,
    K.INTEGRATION_SOMATIC,
    K.CHECKIN_WEEK,
    K.CHECKIN_MONTH,
)

# Integration prompts invite the participant to check in ("tell us how you are doing"); nobody
# is obliged to take them.
SPECS = {kind: MessageSpec(essential=False, default_path="/me/", support_line=True) for kind in K}


def register() -> None:
    for kind in FollowUpMessage:
        kinds.register(kind, SPECS[kind])
    kinds.register_subject_queryset(
        lambda: CheckIn.objects.select_related(
            "enrollment__session__session_type", "enrollment__session__room"
        )
    )
