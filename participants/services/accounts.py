"""Accounts: roles and their permissions, participant sign-up and e-mail verification."""

import datetime
import logging

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from journease.clinic_time import clinic_today
from participants.access import CLINICAL_RECORDS, STAFF_PAGES
from participants.account_links import VERIFY_SALT, email_fingerprint
from participants.language import LANGUAGE_CODES
from participants.message_kinds import ParticipantMessage
from participants.models import STAFF_ROLES, ParticipantProfile, Role, User
from participants.services.account_messages import account_message_plan

logger = logging.getLogger(__name__)

# Permissions each role group holds, as "app_label.codename" (the Admin group holds all but the
# personal ones); ``participants.access`` decides with them. "Decide eligibility" and "monitor
# dosing" are given per person (prescribers, nurses), never by the Clinician group.
ROLE_PERMISSIONS: dict[str, set[str]] = {
    Role.PARTICIPANT: set(),
    Role.COORDINATOR: {
        STAFF_PAGES,
        "participants.view_participantprofile",
        "participants.change_participantprofile",
        "sessions_app.view_sessiontype",
        "sessions_app.view_room",
        "sessions_app.view_groupsession",
        "sessions_app.add_groupsession",
        "sessions_app.change_groupsession",
    },
    Role.CLINICIAN: {
        STAFF_PAGES,
        CLINICAL_RECORDS,
        "participants.view_participantprofile",
        "sessions_app.view_sessiontype",
        "sessions_app.view_room",
        "sessions_app.view_groupsession",
    },
}
PERSONAL_PERMISSIONS = {"decide_eligibility", "monitor_dosing"}


def ensure_roles() -> None:
    """Create the role groups and give each its permissions; safe to run any number of times.

    Called after every migrate (``post_migrate``) and by test fixtures, because transactional
    tests flush the groups a data migration would have made.
    """
    all_permissions = {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.select_related("content_type")
    }
    for role in Role:
        group, _created = Group.objects.get_or_create(name=role.value)
        if role == Role.ADMIN:
            wanted = [p for p in all_permissions.values() if p.codename not in PERSONAL_PERMISSIONS]
        else:
            wanted = [
                all_permissions[name] for name in ROLE_PERMISSIONS[role] if name in all_permissions
            ]
        group.permissions.set(wanted)


def user_set_role(*, user: User, role: str) -> None:
    """Give ``user`` exactly one role; ``is_staff`` follows the Admin role (``User.set_role``, the
    rule ``createsuperuser`` uses too)."""
    user.set_role(role)


def user_grant_permission(*, user: User, codename: str) -> None:
    """Give one person a personal clinical permission (decide eligibility, monitor dosing)."""
    if codename not in PERSONAL_PERMISSIONS:
        raise ValueError(f"{codename!r} is not a personal permission")
    user.user_permissions.add(
        Permission.objects.get(content_type__app_label="participants", codename=codename)
    )
    for cache_attr in ("_perm_cache", "_user_perm_cache"):
        user.__dict__.pop(cache_attr, None)


def users_with_role(*roles: str):
    """Active users holding any of ``roles``."""
    return User.objects.filter(is_active=True, groups__name__in=roles).distinct()


def staff_users():
    return users_with_role(*STAFF_ROLES)


def age_on(date_of_birth: datetime.date, day: datetime.date) -> int:
    """Whole years of age on ``day``; someone born on 29 February turns a year older on 1 March."""
    years = day.year - date_of_birth.year
    if (day.month, day.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


def validate_participant_age(date_of_birth: datetime.date, *, now=None) -> None:
    """Participants are adults (18 or older on the clinic's local date)."""
    today = clinic_today(now)
    if date_of_birth > today:
        raise ValidationError(_("The date of birth is in the future."), code="future")
    if age_on(date_of_birth, today) < settings.MINIMUM_PARTICIPANT_AGE:
        raise ValidationError(
            _("Our group program is for adults %(age)s or older.")
            % {"age": settings.MINIMUM_PARTICIPANT_AGE},
            code="too_young",
        )
    if age_on(date_of_birth, today) > 120:
        raise ValidationError(_("Please check the year of birth."), code="implausible")


def email_in_use(email: str, *, exclude_pk: int | None = None) -> bool:
    query = User.objects.filter(email__iexact=email.strip())
    if exclude_pk:
        query = query.exclude(pk=exclude_pk)
    return query.exists()


def participant_signup(
    *,
    email: str,
    password: str,
    first_name: str,
    last_name: str,
    date_of_birth: datetime.date,
    preferred_name: str = "",
    phone: str = "",
    language: str = "",
    now: datetime.datetime | None = None,
) -> User:
    """Create a participant account and its profile, then send the verification e-mail.

    ``language`` is the one the person signed up in (the page's): their pages and messages, the
    verification e-mail first, are in it until they choose another.

    All or nothing: the user, profile and role are created in one transaction, and the e-mail is
    queued only once that transaction has committed.
    """
    validate_participant_age(date_of_birth, now=now)
    if email_in_use(email):
        raise ValidationError(
            {"email": _("An account with this e-mail address already exists.")}, code="taken"
        )
    with transaction.atomic():
        user = User.objects.create_user(
            email=email,
            password=password,
            first_name=first_name.strip(),
            last_name=last_name.strip(),
            language=language if language in LANGUAGE_CODES else settings.LANGUAGE_CODE,
        )
        ParticipantProfile.objects.create(
            user=user,
            preferred_name=preferred_name.strip(),
            phone=phone,
            date_of_birth=date_of_birth,
        )
        user_set_role(user=user, role=Role.PARTICIPANT)
        email_verification_request(user=user)
    logger.info("participant account created user_id=%s", user.pk)
    return user


def email_verification_request(*, user: User, now: datetime.datetime | None = None) -> None:
    """Plan the verification e-mail as an outbox row in the current transaction.

    The row names only the user; the link and its token are made when the e-mail is sent.
    """
    now = now or timezone.now()
    account_message_plan(user=user, kind=ParticipantMessage.ACCOUNT_VERIFY_EMAIL, now=now)
    User.objects.filter(pk=user.pk).update(email_verification_sent_at=now)


def email_verification_send(*, user_id: int, now: datetime.datetime | None = None) -> bool:
    """Plan the verification e-mail for an unverified account; False when there is nothing to do."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or user.email_verified:
        return False
    email_verification_request(user=user, now=now)
    return True


class VerificationFailed(Exception):
    """The link is broken, expired or for an address that has since changed."""


def email_verification_confirm(*, token: str, now: datetime.datetime | None = None) -> User:
    """Mark the address verified. Raises ``VerificationFailed`` for a bad or expired link."""
    try:
        payload = signing.loads(
            token,
            salt=VERIFY_SALT,
            max_age=datetime.timedelta(days=settings.EMAIL_VERIFICATION_TIMEOUT_DAYS),
        )
    except signing.SignatureExpired as exc:
        raise VerificationFailed(_("This link has expired.")) from exc
    except signing.BadSignature as exc:
        raise VerificationFailed(_("This link is not valid.")) from exc
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=payload.get("u"), is_active=True).first()
        if user is None or email_fingerprint(user.email) != payload.get("e"):
            raise VerificationFailed(_("This link is not valid."))
        if not user.email_verified:
            user.email_verified_at = now or timezone.now()
            user.save(update_fields=["email_verified_at"])
    return user


def email_verification_resend(*, email: str) -> None:
    """Send a fresh link to an unverified account; says nothing about whether the address exists."""
    user = User.objects.filter(
        email__iexact=email.strip(), is_active=True, email_verified_at=None
    ).first()
    if user is not None:
        email_verification_request(user=user)


def password_reset_request(*, email: str, now: datetime.datetime | None = None) -> int:
    """Plan a password-reset e-mail to each active account of ``email`` that has a password.

    Says nothing to the caller about whether the address exists (the page reads the same either
    way). The link and its token are made when the e-mail is sent.
    """
    users = [
        user
        for user in User.objects.filter(email__iexact=email.strip(), is_active=True)
        if user.has_usable_password()
    ]
    with transaction.atomic():
        for user in users:
            account_message_plan(user=user, kind=ParticipantMessage.ACCOUNT_PASSWORD_RESET, now=now)
    return len(users)


def participant_profile_update(
    *,
    profile: ParticipantProfile,
    first_name: str,
    last_name: str,
    language: str | None = None,
    **fields,
) -> ParticipantProfile:
    """Save a participant's own changes to their names, language and profile together."""
    if fields.get("sms_opt_in") and not fields.get("phone", profile.phone):
        raise ValidationError({"phone": _("Add a mobile number to get text messages.")})
    if "date_of_birth" in fields:
        validate_participant_age(fields["date_of_birth"])
    with transaction.atomic():
        user = profile.user
        user.first_name, user.last_name = first_name.strip(), last_name.strip()
        if language is not None:
            if language not in LANGUAGE_CODES:
                raise ValidationError({"language": _("Choose English or Español.")})
            user.language = language
        user.save(update_fields=["first_name", "last_name", "language"])
        for name, value in fields.items():
            setattr(profile, name, value)
        profile.full_clean()
        profile.save()
    return profile
