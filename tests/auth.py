"""Signing in within tests."""

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from participants.models import User
from participants.services.two_factor import two_factor_required


def sign_in(user: User, client: Client | None = None) -> Client:
    """Sign ``user`` in, passing the second factor as staff do: the one place tests sign in."""
    client = client or Client()
    client.force_login(user)
    if two_factor_required(user):
        device = TOTPDevice.objects.create(user=user, name="Test authenticator", confirmed=True)
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    client.user = user
    return client


# A signed-in staff request reads the second-factor device, and at most once a minute saves the
# idle timer in the session (a savepoint, the update, its release).
SIGNED_IN_STAFF_QUERIES = 4

# A page that opens a clinical record writes its audit event.
AUDIT_QUERIES = 1

# A page that renders a cached fragment for the first time reads its version and the cache, and
# stores it; with the database cache (the embedded default) each of those is a query or more.
CACHED_FRAGMENT_MISS_QUERIES = 6
