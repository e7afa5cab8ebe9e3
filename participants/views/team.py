"""The staff team, for admins: invite, deactivate and reactivate, reset a lost second factor, and
end a sign-in delay (``signin_throttle``) that failed sign-ins from elsewhere put on a member."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from participants import forms
from participants.access import admin_required
from participants.models import STAFF_ROLES, AuditAction, User
from participants.services import signin_throttle, staff
from participants.services.audit import audit_record


def _staff_members():
    return (
        User.objects.filter(groups__name__in=STAFF_ROLES)
        .distinct()
        .annotate(
            has_authenticator=Exists(TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True))
        )
        .prefetch_related(Prefetch("groups"), "user_permissions")
        .order_by("-is_active", "last_name", "first_name")
    )


@admin_required
def team(request: HttpRequest) -> HttpResponse:
    form = forms.StaffInviteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            staff.staff_invite(
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                role=data["role"],
                permissions=data["permissions"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Invitation sent. The link works for one day."))
            return redirect("team:list")
    members = list(_staff_members())
    delays = signin_throttle.signin_delays(member.email for member in members)
    for member in members:
        member.signin_delay = delays.get(member.email)
    return render(request, "participants/team.html", {"form": form, "members": members})


def _member(pk: int) -> User:
    return get_object_or_404(User.objects.filter(groups__name__in=STAFF_ROLES).distinct(), pk=pk)


@admin_required
@require_POST
def set_active(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(pk)
    active = request.POST.get("active") == "1"
    try:
        staff.staff_set_active(user=member, active=active, by=request.user)
    except staff.StaffChangeRefused as error:
        messages.error(request, str(error))
        return redirect("team:list")
    messages.success(
        request,
        _("%(name)s can sign in again.") % {"name": member.get_full_name()}
        if active
        else _("%(name)s is deactivated and signed out.") % {"name": member.get_full_name()},
    )
    return redirect("team:list")


@admin_required
@require_POST
def reset_second_factor(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(pk)
    staff.staff_reset_second_factor(user=member)
    messages.success(
        request,
        _("%(name)s will set up two-step sign-in again at the next sign-in.")
        % {"name": member.get_full_name()},
    )
    return redirect("team:list")


@admin_required
@require_POST
def clear_signin_delay(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(pk)
    signin_throttle.signin_delay_clear(email=member.email)
    audit_record(
        request=request, action=AuditAction.UPDATE, record="sign-in delay", participant=member
    )
    messages.success(
        request,
        _("Sign-in delay cleared: %(name)s can sign in at once.")
        % {"name": member.get_full_name()},
    )
    return redirect("team:list")
