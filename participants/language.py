"""Which language a page is read in, and how a person changes it.

A signed-in person's pages follow the language kept on their account; a visitor's follow the
switch's cookie, else the browser (Django's ``LocaleMiddleware``). Choosing with the switch sets
both, so the choice made on the sign-in page holds after signing in and in every message after.
"""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

LANGUAGE_CODES = frozenset(code for code, _name in settings.LANGUAGES)


def language_of(user) -> str:
    """The language a person reads in: their account's, or the clinic's when it is unknown."""
    code = getattr(user, "language", "") or ""
    return code if code in LANGUAGE_CODES else settings.LANGUAGE_CODE


def reading_language(code: str | None) -> str:
    """A page's language (``get_language()``, e.g. "es" or "es-mx") as one of the clinic's."""
    base = (code or "").lower().split("-")[0]
    return base if base in LANGUAGE_CODES else settings.LANGUAGE_CODE


def language_of_request(request: HttpRequest) -> str:
    """The language the page was read in (switch, cookie or browser): a new account's first."""
    return reading_language(getattr(request, "LANGUAGE_CODE", "") or translation.get_language())


class LinkLanguageMiddleware:
    """A link in a message carries its reader's language (``?lang=es``, ``outbox.rendering``):
    opened on a device that never chose one, the page (the sign-in page first) is in it, and the
    device keeps it. A choice the device already made is never overwritten."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        code = request.GET.get("lang", "")
        if code not in LANGUAGE_CODES:
            return self.get_response(request)
        request.LANGUAGE_CODE = code
        with translation.override(code):
            response = self.get_response(request)
            response.headers.setdefault("Content-Language", code)
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            _remember(response, code)
        return response


def _remember(response: HttpResponse, code: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


class UserLanguageMiddleware:
    """After authentication: a signed-in person's own language wins over cookie and browser."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        code = language_of(user)
        request.LANGUAGE_CODE = code
        # Only for this request: the thread goes back to what it was (a test, a worker's next job).
        with translation.override(code):
            response = self.get_response(request)
            response.headers.setdefault("Content-Language", code)
        return response


def language_keep_choice_at_sign_in(sender, request, user, **kwargs) -> None:
    """Signing in after choosing a language (the cookie the switch sets, or a message's link
    sets on a device that had none): the account takes it. Only messages to readers of a
    language carry it in their links. The browser's own language never changes an account.
    """
    if request is None:
        return
    code = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if code in LANGUAGE_CODES and getattr(user, "language", code) != code:
        user.language = code
        user.save(update_fields=["language"])


@require_POST
def language_set(request: HttpRequest) -> HttpResponse:
    """The switch on every page: keep the choice in a cookie and, when signed in, on the account.

    Anything but a known language is ignored (the page comes back as it was); the way back is
    only ever a page of this site.
    """
    next_url = request.POST.get("return_to", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    code = request.POST.get("language", "")
    if code not in LANGUAGE_CODES:
        return response
    user = request.user
    if user.is_authenticated and user.language != code:
        user.language = code
        user.save(update_fields=["language"])
    _remember(response, code)
    return response
