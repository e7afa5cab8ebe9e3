"""Middleware for signed-in people: staff need their second factor; idle sessions end."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.middleware import OTPMiddleware
from django_otp.models import Device

from participants.services.two_factor import has_confirmed_device, two_factor_required
from participants.user_facts import user_facts_prime

# Paths a staff member may open before passing the second factor.
_OPEN_PREFIXES = ("/static/", "/healthz", "/accounts/two-factor/", "/accounts/logout/")


class StaffTwoFactorMiddleware:
    """Staff pages, Django admin and everything else wait until a staff member's second factor."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (
            two_factor_required(user)
            and not user.is_verified()
            and not request.path.startswith(_OPEN_PREFIXES)
        ):
            name = "two_factor_verify" if has_confirmed_device(user) else "two_factor_setup"
            # Encoded, so an address with its own query string arrives whole after the code.
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('participants:' + name)}?{query}")
        return self.get_response(request)


class SecondFactorMiddleware(OTPMiddleware):
    """django-otp's middleware (``user.otp_device``, ``user.is_verified()``), answered from the
    person's cached facts (``participants.user_facts``) instead of a device query per request.

    The session's device counts only while it is one of the user's confirmed devices, as
    django-otp decides; the device itself is read only if a view asks for it. The same call
    answers the request's role and permission questions from the facts.
    """

    def _verify_user_sync(self, request, user):
        if not user.is_authenticated:
            return super()._verify_user_sync(request, user)
        facts = user_facts_prime(user)
        if facts is None or facts.device_ids is None:  # not kept: django-otp reads the device
            return super()._verify_user_sync(request, user)
        self._init_user_fields(user)
        persistent_id = request.session.get(DEVICE_ID_SESSION_KEY)
        if persistent_id:
            persistent_id = self._normalize_persistent_id(persistent_id)
            if persistent_id in facts.device_ids:
                user.otp_device = SimpleLazyObject(lambda: Device.from_persistent_id(persistent_id))
            else:
                del request.session[DEVICE_ID_SESSION_KEY]
        return user


SESSION_ACTIVITY_KEY = "last_activity"
ACTIVITY_WRITE_INTERVAL = 60  # seconds


def idle_timeout_seconds(user) -> int:
    """Staff are signed out after 15 idle minutes, participants after 30."""
    minutes = (
        settings.IDLE_TIMEOUT_STAFF_MINUTES
        if two_factor_required(user)
        else settings.IDLE_TIMEOUT_PARTICIPANT_MINUTES
    )
    return minutes * 60


def passive(view):
    """Mark ``view`` as one a page calls by itself (the dosing room's polling): its requests
    are no sign that anyone is at the screen, so they do not keep an idle session alive. The
    sign-out check still applies to them."""
    view.passive_poll = True
    return view


class IdleTimeoutMiddleware:
    """Ends a session that has seen no request for longer than the person's idle timeout.

    Every request is checked; only a request to a view that is not ``passive`` counts as
    activity (``process_view``, which knows the view).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated:
            now = time.time()
            timeout = idle_timeout_seconds(user)
            last = request.session.get(SESSION_ACTIVITY_KEY, now)
            if now - last > timeout:
                logout(request)
                messages.info(
                    request,
                    _("You were signed out after %(minutes)s minutes without activity.")
                    % {"minutes": timeout // 60},
                )
                return redirect(f"{reverse('participants:login')}?next={request.path}")
            request.idle_timeout_seconds = timeout
            if SESSION_ACTIVITY_KEY not in request.session:
                # The clock starts at a session's first request, passive or not.
                request.session[SESSION_ACTIVITY_KEY] = now
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated or getattr(view_func, "passive_poll", False):
            return None
        now = time.time()
        # Written at most once a minute: a session save on every request costs a query.
        if now - request.session.get(SESSION_ACTIVITY_KEY, 0) >= ACTIVITY_WRITE_INTERVAL:
            request.session[SESSION_ACTIVITY_KEY] = now
        return None
