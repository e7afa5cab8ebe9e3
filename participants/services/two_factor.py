"""Two-factor sign-in for staff: an authenticator app (TOTP) plus single-use backup codes.

Coordinators, clinicians and admins must pass a second factor before any staff page or Django
admin opens (``participants.security.StaffTwoFactorMiddleware`` enforces it).
"""

import base64

import segno
from django.db import transaction
from django_otp import devices_for_user, match_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from participants.access import is_staff_member
from participants.models import User

BACKUP_CODE_COUNT = 10
TOTP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"


def two_factor_required(user: User) -> bool:
    """Staff (coordinators, clinicians, admins) sign in with a second factor; participants do not."""
    return user.is_authenticated and (is_staff_member(user) or user.is_staff or user.is_superuser)


def has_confirmed_device(user: User) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


def totp_device_pending(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator being set up (one at a time): shown as a QR code and key."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def totp_secret_base32(device: TOTPDevice) -> str:
    """The key as people type it into an authenticator app."""
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def totp_qr_data_uri(device: TOTPDevice) -> str:
    """The provisioning URL as an SVG QR code (a data URI, so no inline markup is needed)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def totp_device_confirm(*, user: User, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the authenticator with a code from it; returns fresh backup codes, or None."""
    if device.user_id != user.pk or not device.verify_token(token.strip().replace(" ", "")):
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        return backup_codes_create(user=user)


def backup_codes_create(*, user: User, codes: list[str] | None = None) -> list[str]:
    """Replace the user's backup codes with ``codes`` (or ten random ones); each works once."""
    with transaction.atomic():
        device, _created = StaticDevice.objects.get_or_create(
            user=user, name=BACKUP_DEVICE_NAME, defaults={"confirmed": True}
        )
        device.token_set.all().delete()
        codes = codes or [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
        StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def second_factor_match(*, user: User, token: str):
    """The confirmed device that accepts ``token`` (a TOTP code or an unused backup code)."""
    token = token.strip().replace(" ", "").replace("-", "")
    if not token:
        return None
    return match_token(user, token)
