"""Pages of the staff second factor, and the keep-alive the idle warning calls."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from participants import forms
from participants.landing import landing_url
from participants.services import two_factor


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return landing_url(request.user)


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Link an authenticator app: scan the code, type a code from the app, keep the backup codes."""
    if not two_factor.two_factor_required(request.user):
        return redirect(landing_url(request.user))
    if two_factor.has_confirmed_device(request.user) and not request.user.is_verified():
        return redirect("participants:two_factor_verify")
    device = two_factor.totp_device_pending(user=request.user)
    form = forms.SecondFactorForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.totp_device_confirm(
            user=request.user, device=device, token=form.cleaned_data["code"]
        )
        if codes is None:
            form.add_error(
                "code",
                _("That code did not match. Check the time on your phone and try the newest code."),
            )
        else:
            otp_login(request, device)
            return render(
                request,
                "participants/two_factor_codes.html",
                {"codes": codes, "next": _next_url(request)},
            )
    return render(
        request,
        "participants/two_factor_setup.html",
        {
            "form": form,
            "qr": two_factor.totp_qr_data_uri(device),
            "secret": two_factor.totp_secret_base32(device),
            "next": _next_url(request),
        },
    )


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of a staff sign-in: a code from the app or a backup code."""
    if request.user.is_verified() or not two_factor.two_factor_required(request.user):
        return redirect(_next_url(request))
    if not two_factor.has_confirmed_device(request.user):
        return redirect("participants:two_factor_setup")
    form = forms.SecondFactorForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        device = two_factor.second_factor_match(user=request.user, token=form.cleaned_data["code"])
        if device is None:
            form.add_error(
                "code",
                _("That code did not match. Try the newest code from your app, or a backup code."),
            )
        else:
            otp_login(request, device)
            if device.name == two_factor.BACKUP_DEVICE_NAME:
                messages.warning(request, _("You used a backup code: each works only once."))
            return redirect(_next_url(request))
    return render(
        request, "participants/two_factor_verify.html", {"form": form, "next": _next_url(request)}
    )


@require_POST
def keepalive(request: HttpRequest) -> JsonResponse:
    """ "Stay signed in": any request resets the idle timer; this one only answers how long is left."""
    if not request.user.is_authenticated:
        return JsonResponse({"signed_in": False}, status=401)
    return JsonResponse({"signed_in": True, "timeout": getattr(request, "idle_timeout_seconds", 0)})
