"""The messages the participants app sends: screening decisions, safety and staff notices, and
account e-mails. Each kind is declared here once and registered with the outbox by ``register``
(called from ``ParticipantsConfig.ready``); its words are the templates named after it."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from outbox import contacts, kinds
from outbox.kinds import MessageSpec
from participants import account_links
from participants.language import language_of


class ParticipantMessage(models.TextChoices):
    SCREENING_DECISION = "screening_decision", _("Screening decision")
    STAFF_NEW_SCREENING = "staff_new_screening", _("Staff: new screening to review")
    STAFF_SAFETY_ALERT = "staff_safety_alert", _("Staff: safety alert")
    STAFF_SAFETY_ESCALATION = "staff_safety_escalation", _("Staff: safety alert escalated")
    STAFF_ACCOUNT_CLOSED = "staff_account_closed", _("Staff: a participant closed their account")
    STAFF_MESSAGE_FAILED = "staff_message_failed", _("Staff: a staff message could not be sent")
    ACCOUNT_VERIFY_EMAIL = "account_verify_email", _("Account: confirm the e-mail address")
    ACCOUNT_PASSWORD_RESET = "account_password_reset", _("Account: password reset link")
    ACCOUNT_STAFF_INVITE = "account_staff_invite", _("Account: staff invitation")
    ACCOUNT_SIGNIN_DELAY = "account_signin_delay", _("Account: sign-in slowed after failures")


K = ParticipantMessage

# What a staff notice is about decides the page it links to (``services.notify``).
STAFF_NOTICES = (K.STAFF_SAFETY_ALERT, K.STAFF_SAFETY_ESCALATION, K.STAFF_NEW_SCREENING)

SPECS = {
    K.SCREENING_DECISION: MessageSpec(default_path="/me/"),
    K.STAFF_NEW_SCREENING: MessageSpec(to_staff=True, default_path="/staff/"),
    K.STAFF_SAFETY_ALERT: MessageSpec(to_staff=True, default_path="/staff/", support_line=True),
    K.STAFF_SAFETY_ESCALATION: MessageSpec(
        to_staff=True, default_path="/staff/", support_line=True
    ),
    K.STAFF_ACCOUNT_CLOSED: MessageSpec(to_staff=True, default_path="/staff/"),
    K.STAFF_MESSAGE_FAILED: MessageSpec(to_staff=True, default_path="/staff/messages/failed/"),
    # Account e-mails carry a link with a token, made only when the message is sent.
    K.ACCOUNT_VERIFY_EMAIL: MessageSpec(
        stale_at=account_links.verified_at, send_time_context=account_links.verify_context
    ),
    K.ACCOUNT_PASSWORD_RESET: MessageSpec(
        stale_at=account_links.reset_expiry, send_time_context=account_links.password_context
    ),
    K.ACCOUNT_STAFF_INVITE: MessageSpec(
        stale_at=account_links.invite_used, send_time_context=account_links.password_context
    ),
    K.ACCOUNT_SIGNIN_DELAY: MessageSpec(send_time_context=account_links.signin_delay_context),
}


def _sms_number(recipient) -> str:
    profile = getattr(recipient, "participant_profile", None)
    return str(profile.phone) if profile and profile.sms_opt_in and profile.phone else ""


def _wants_prompts(recipient) -> bool:
    profile = getattr(recipient, "participant_profile", None)
    return profile is None or profile.integration_prompts


def register() -> None:
    """Tell the outbox this app's kinds, and how to reach a person (their profile)."""
    for kind in ParticipantMessage:
        kinds.register(kind, SPECS[kind])
    contacts.register(
        contacts.ContactBook(
            related=("participant_profile",),
            sms_number=_sms_number,
            wants_prompts=_wants_prompts,
            language=language_of,
        )
    )
