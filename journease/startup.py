"""Start-up checks of the long-running processes (web and Celery worker and beat).

With ``DEBUG`` off and no ``SECRET_KEY``, ``settings.py`` leaves the key empty so that management
commands that sign nothing (``migrate``, ``makemigrations --check``) still run. A web or worker
process would then start and fail only at the first signature (a session, a link in a message):
these checks refuse to start it at all, saying why.
"""

from django.core.exceptions import ImproperlyConfigured

MISSING_KEY_MESSAGE = (
    "Journease {process} refuses to start: DEBUG is off and SECRET_KEY is not set. Set "
    "SECRET_KEY to a long random value (python -c 'import secrets; "
    "print(secrets.token_urlsafe(50))'), or DEBUG=1 for development only."
)


def missing_secret_key(process: str) -> str | None:
    """The message for ``process`` when it must not start, else None."""
    from django.conf import settings

    if settings.DEBUG:
        return None
    try:
        key = settings.SECRET_KEY
    except ImproperlyConfigured:  # Django refuses to hand out an empty key
        key = ""
    if key:
        return None
    return MISSING_KEY_MESSAGE.format(process=process)


def require_secret_key(process: str) -> None:
    """Raise ``ImproperlyConfigured`` (the web process: gunicorn shows it and stops)."""
    message = missing_secret_key(process)
    if message:
        raise ImproperlyConfigured(message)


def exit_without_secret_key(process: str) -> None:
    """Stop a Celery process with the message. Celery logs and ignores an exception raised in a
    signal handler, so this leaves with ``SystemExit``, which it does not catch."""
    message = missing_secret_key(process)
    if message:
        raise SystemExit(message)
