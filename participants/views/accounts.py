"""Account pages: sign-up, e-mail verification, sign-in, passwords and the participant profile."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.debug import sensitive_post_parameters

from participants import forms
from participants.access import participant_required
from participants.landing import landing_url
from participants.language import language_of_request
from participants.request_info import client_ip
from participants.services import accounts, signin_throttle
from participants.services.ratelimit import rate_limit_exceeded


def _too_many(request: HttpRequest, scope: str) -> bool:
    limit, window = settings.RATE_LIMITS[scope]
    return rate_limit_exceeded(
        scope=scope, key=client_ip(request), limit=limit, window_seconds=window
    )


TOO_MANY = gettext_lazy(
    "Too many attempts from your connection in the last hour. Please try again later."
)


@sensitive_post_parameters("password1", "password2", "date_of_birth")
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(landing_url(request.user))
    form = forms.SignupForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and _too_many(request, "signup"):
        form.is_valid()
        form.add_error(None, TOO_MANY)
        return render(request, "participants/signup.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            accounts.participant_signup(
                email=data["email"],
                password=data["password1"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                preferred_name=data["preferred_name"],
                phone=data["phone"] or "",
                date_of_birth=data["date_of_birth"],
                language=language_of_request(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("participants:signup_done")
    return render(request, "participants/signup.html", {"form": form})


def signup_done(request: HttpRequest) -> HttpResponse:
    return render(request, "participants/signup_done.html")


def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    try:
        accounts.email_verification_confirm(token=token)
    except accounts.VerificationFailed as error:
        return render(
            request,
            "participants/verify_failed.html",
            {"reason": str(error), "form": forms.ResendVerificationForm()},
            status=400,
        )
    messages.success(request, _("Thank you: your e-mail address is confirmed. Please sign in."))
    if request.user.is_authenticated:
        return redirect(landing_url(request.user))
    return redirect("participants:login")


def resend_verification(request: HttpRequest) -> HttpResponse:
    form = forms.ResendVerificationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and _too_many(request, "resend_verification"):
        form.is_valid()
        form.add_error(None, TOO_MANY)
        return render(request, "participants/resend_verification.html", {"form": form}, status=429)
    if request.method == "POST" and form.is_valid():
        accounts.email_verification_resend(email=form.cleaned_data["email"])
        messages.info(
            request,
            _(
                "If that address belongs to an account waiting for confirmation, a new link "
                "is on its way. It works for %(days)s days."
            )
            % {"days": settings.EMAIL_VERIFICATION_TIMEOUT_DAYS},
        )
        return redirect("participants:login")
    return render(request, "participants/resend_verification.html", {"form": form})


@participant_required
def profile(request: HttpRequest) -> HttpResponse:
    participant_profile = request.user.participant_profile
    form = forms.ProfileForm(
        request.POST if request.method == "POST" else None, instance=participant_profile
    )
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            accounts.participant_profile_update(
                profile=participant_profile,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                language=form.cleaned_data["language"],
                **fields,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your details are saved."))
            return redirect("participants:profile")
    return render(request, "participants/profile.html", {"form": form})


class LoginView(auth_views.LoginView):
    """Signing in leads to a safe ``next`` address when one was given, else to the person's own
    page (``landing_url``); staff pass their second step on the way."""

    form_class = forms.LoginForm
    template_name = "participants/login.html"
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return landing_url(self.request.user)

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.signin_delayed is not None:
            # The account waits (signin_throttle): say so to the client as well as the person.
            response.status_code = 429
            response["Retry-After"] = str(form.signin_delayed.seconds)
        return response


class PasswordChangeView(auth_views.PasswordChangeView):
    form_class = forms.PasswordChangeForm
    template_name = "participants/password_change.html"
    success_url = reverse_lazy("participants:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "participants/password_change_done.html"


class PasswordResetView(auth_views.PasswordResetView):
    form_class = forms.PasswordResetForm
    template_name = "participants/password_reset.html"
    success_url = reverse_lazy("participants:password_reset_done")

    @method_decorator(sensitive_post_parameters())
    def dispatch(self, *args, **kwargs):
        return super().dispatch(*args, **kwargs)

    def post(self, request, *args, **kwargs):
        if _too_many(request, "password_reset"):
            form = self.get_form()
            form.is_valid()
            form.add_error(None, TOO_MANY)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        # An outbox row per account of the address; its link and token are made when it is sent
        # (with SITE_URL, never the Host header a stranger could set).
        accounts.password_reset_request(email=form.cleaned_data["email"])
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "participants/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    form_class = forms.SetPasswordForm
    template_name = "participants/password_reset_confirm.html"
    success_url = reverse_lazy("participants:password_reset_complete")

    def form_valid(self, form):
        # The owner proved the mailbox and chose a new password: guesses at the old one no
        # longer matter, so the account's sign-in delay ends here.
        signin_throttle.signin_delay_clear(email=form.user.email)
        return super().form_valid(form)


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "participants/password_reset_complete.html"
