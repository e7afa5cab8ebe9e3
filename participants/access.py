"""Who may open which page: the role checks every view uses."""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from participants.models import STAFF_ROLES, Role


def role_required(*roles: str) -> Callable:
    """Sign-in required; then only users holding one of ``roles`` get through (403 otherwise)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not request.user.has_role(*roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


staff_required = role_required(*STAFF_ROLES)
participant_required = role_required(Role.PARTICIPANT)


def clinical_required(view: Callable) -> Callable:
    """Staff who may read clinical records (clinicians, admins); coordinators get a 403."""

    @wraps(view)
    @staff_required
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.has_perm("participants.view_clinical_records"):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def may_edit_flag_rules(user) -> bool:
    """Admins, and clinicians who decide eligibility, change the flag rules."""
    return user.has_role(Role.ADMIN) or (
        user.has_role(Role.CLINICIAN) and user.has_perm("participants.decide_eligibility")
    )


def may_use_admin_site(user) -> bool:
    """Django admin is for active staff accounts holding the Admin role (or superusers)."""
    if not (user.is_active and user.is_staff):
        return False
    return user.is_superuser or user.has_role(Role.ADMIN)
