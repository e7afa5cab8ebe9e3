"""Who may do what: every role and permission check of the clinic, decided here once.

Roles are groups (``Role``, ``STAFF_ROLES``: the data, in the models) and permissions are Django's,
given to each role group by ``services.accounts.ensure_roles`` and to a person for the personal
ones (*decide eligibility*). The predicates read only the user, so views, forms, the context
processor, the admin site and the services all ask them; the decorators guard the pages with them.
Every predicate answers False for someone signed out.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from participants.models import STAFF_ROLES, Role

STAFF_PAGES = "participants.access_staff_pages"
CLINICAL_RECORDS = "participants.view_clinical_records"
DECIDE_ELIGIBILITY = "participants.decide_eligibility"
MONITOR_DOSING = "participants.monitor_dosing"


def _roles(user) -> frozenset[str]:
    return user.roles if user.is_authenticated else frozenset()


def is_participant(user) -> bool:
    """A participant: My program, their screenings, consent, sessions and data."""
    return Role.PARTICIPANT in _roles(user)


def is_staff_member(user) -> bool:
    """Coordinators, clinicians and admins: the clinic's team (they sign in with a second factor)."""
    return bool(_roles(user) & STAFF_ROLES)


def may_use_staff_pages(user) -> bool:
    """The staff pages are for the team's roles holding *access staff pages* (each role group
    holds it; admins hold every permission, superusers too)."""
    return is_staff_member(user) and user.has_perm(STAFF_PAGES)


def may_use_admin_pages(user) -> bool:
    """The team and the failed messages: staff pages for the Admin role only."""
    return Role.ADMIN in _roles(user) and may_use_staff_pages(user)


def may_read_clinical_records(user) -> bool:
    """Answers, scores, flags, safety alerts and outcomes: staff holding *view clinical records*
    (clinicians and admins); coordinators never."""
    return may_use_staff_pages(user) and user.has_perm(CLINICAL_RECORDS)


def may_decide_eligibility(user) -> bool:
    """A screening's decision: clinical staff given *decide eligibility* in person (prescribers)."""
    return may_read_clinical_records(user) and user.has_perm(DECIDE_ELIGIBILITY)


def may_enter_interpreter_answers(user) -> bool:
    """Answers given through an interpreter are recorded by clinicians (reading clinical records),
    never by coordinators or by an admin who is not a clinician."""
    return Role.CLINICIAN in _roles(user) and may_read_clinical_records(user)


def may_monitor_dosing(user) -> bool:
    """The dosing day's entries (arrival, readings, doses, vitals, discharge): staff given
    *monitor dosing* in person (the medical monitor, nurses)."""
    return may_use_staff_pages(user) and user.has_perm(MONITOR_DOSING)


def may_read_dosing_record(user) -> bool:
    """A dosing day's vitals, doses and events: clinical staff, and whoever monitors dosing.
    Other staff (coordinators) see arrival and discharge status only."""
    return may_read_clinical_records(user) or may_monitor_dosing(user)


def may_edit_flag_rules(user) -> bool:
    """Admins, and clinicians who decide eligibility, change the flag rules."""
    if not may_use_staff_pages(user):
        return False
    roles = _roles(user)
    return Role.ADMIN in roles or (Role.CLINICIAN in roles and user.has_perm(DECIDE_ELIGIBILITY))


def may_use_admin_site(user) -> bool:
    """Django admin is for active staff accounts holding the Admin role (or superusers)."""
    if not (user.is_active and user.is_staff):
        return False
    return user.is_superuser or Role.ADMIN in _roles(user)


def may_purge_clinical_records(user) -> bool:
    """Removing clinical records for retention: an active admin (or superuser) only."""
    return user.is_active and (user.is_superuser or Role.ADMIN in _roles(user))


def page_guard(allowed: Callable[..., bool]) -> Callable:
    """A view decorator: sign-in required, then only users ``allowed`` says yes to (403 else)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not allowed(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


participant_required = page_guard(is_participant)
staff_required = page_guard(may_use_staff_pages)
admin_required = page_guard(may_use_admin_pages)
clinical_required = page_guard(may_read_clinical_records)
