"""Staff accounts: admins invite coordinators, clinicians and admins, and deactivate them."""

import logging

from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import devices_for_user

from participants.message_kinds import ParticipantMessage
from participants.models import STAFF_ROLES, User
from participants.services.account_messages import account_message_plan
from participants.services.accounts import email_in_use, user_grant_permission, user_set_role

logger = logging.getLogger(__name__)


def staff_invite(
    *,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    permissions: list[str] | tuple[str, ...] = (),
) -> User:
    """Create a staff account with no password and e-mail a link to set one.

    The new member sets their own password, then their second factor at first sign-in.
    """
    if role not in STAFF_ROLES:
        raise ValidationError({"role": _("Choose a staff role.")})
    if email_in_use(email):
        raise ValidationError({"email": _("An account with this e-mail address already exists.")})
    with transaction.atomic():
        user = User.objects.create_user(
            email=email,
            password=None,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            email_verified_at=timezone.now(),
        )
        user_set_role(user=user, role=role)
        for codename in permissions:
            user_grant_permission(user=user, codename=codename)
        # The invitation is an outbox row naming only the member: the link to choose a password
        # (Django's reset token) is made when the e-mail is sent, never stored.
        account_message_plan(user=user, kind=ParticipantMessage.ACCOUNT_STAFF_INVITE)
    logger.info("staff account invited user_id=%s role=%s", user.pk, role)
    return user


class StaffChangeRefused(Exception):
    """A change to the team that is not allowed (an admin deactivating themselves)."""


def staff_set_active(*, user: User, active: bool, by: User | None = None) -> None:
    """Deactivate (or reactivate) a staff member; deactivation ends their sessions at once.

    Nobody deactivates their own account: the clinic could lose its last admin that way.
    """
    if not active and by is not None and by.pk == user.pk:
        raise StaffChangeRefused(_("You cannot deactivate your own account."))
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=active)
        user.is_active = active
        if not active:
            _end_sessions(user)
    logger.info("staff account user_id=%s active=%s", user.pk, active)


def staff_reset_second_factor(*, user: User) -> None:
    """A lost phone: remove the authenticator and backup codes; the next sign-in sets them up."""
    for device in devices_for_user(user, confirmed=None):
        device.delete()
    _end_sessions(user)


def _end_sessions(user: User) -> None:
    # Sessions are stored in the database; find the ones belonging to this user.
    user_id = str(user.pk)
    doomed = [
        session.session_key
        for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if session.get_decoded().get("_auth_user_id") == user_id
    ]
    Session.objects.filter(session_key__in=doomed).delete()
