"""Sign-in delay per account, counted across addresses: the answer to credential stuffing.

django-axes counts failed sign-ins per account *and* address, so an attacker who changes address
for every guess is never slowed by it. This module counts failures per account from any address,
in the cache that every process shares (Redis, or the database cache of the embedded default).

The rule: after ``SIGNIN_DELAY_AFTER_FAILURES`` failures for one account within an hour, each
further attempt waits ``SIGNIN_DELAY_BASE_SECONDS`` after the latest failure, doubling with every
failure, up to ``SIGNIN_DELAY_MAX_SECONDS``. An attempt made before the wait is over is refused
without checking the password, and does not lengthen the wait.

It is a delay, never a lock: the longest wait is the cap, so an attacker cannot keep a clinician
out; a correct password clears the count, completing a password reset clears it, and an admin can
clear it from the team page. The account's owner is told by e-mail once per episode (from the
failure that starts the delay until it is cleared, or until the account has been quiet for an hour
plus the cap).

Cache keys hold a keyed hash (HMAC with ``SECRET_KEY``) of the normalised e-mail, never the
address itself, and nothing here logs an e-mail or a client address. Failures are counted for
addresses that match no account too, so the delay does not tell a stranger which accounts exist.
"""

import logging
import math
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from participants.message_kinds import ParticipantMessage
from participants.models import User
from participants.services.account_messages import account_message_plan

logger = logging.getLogger(__name__)

WINDOW_SECONDS = 60 * 60  # failures older than this no longer count
# How long one attempt holds its turn once a wait is over: concurrent attempts at that moment are
# refused, so a burst from many addresses still gets one password check per wait.
TURN_SECONDS = 30
# Bounds the stored list however many failures arrive at once (only the count matters).
_MAX_KEPT = 256


class SigninDelayed(Exception):
    """This account must wait ``seconds`` more before its password is checked again."""

    def __init__(self, seconds: int):
        self.seconds = max(1, int(seconds))
        super().__init__(self.message)

    @property
    def message(self) -> str:
        return _(
            "Too many failed sign-ins for this account. Try again in %(wait)s, or reset your "
            "password."
        ) % {"wait": _wait_in_words(self.seconds)}


def _wait_in_words(seconds: int) -> str:
    if seconds < 60:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    minutes = math.ceil(seconds / 60)
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def _normalise(email: str) -> str:
    return email.strip().lower()


def _account_key(email: str) -> str:
    digest = salted_hmac("participants.signin-delay", _normalise(email)).hexdigest()[:32]
    return f"signin-delay:{digest}"


def _keep_for() -> int:
    return WINDOW_SECONDS + settings.SIGNIN_DELAY_MAX_SECONDS


def _now() -> float:
    return timezone.now().timestamp()


def _in_window(stored: dict | None, now: float) -> list[float]:
    return [
        moment for moment in (stored or {}).get("failures", []) if now - moment < WINDOW_SECONDS
    ]


def _load(key: str, now: float) -> tuple[str, list[float]]:
    """The account's count: an id that is new each time the count starts from nothing, and the
    times of its failures within the window."""
    stored = cache.get(key)
    return (stored or {}).get("id") or secrets.token_hex(8), _in_window(stored, now)


def signin_delay_seconds(failures: int) -> int:
    """The wait after the latest of ``failures`` recent failures: none below the threshold, then
    the base delay doubling with each further failure, never above the cap."""
    threshold = settings.SIGNIN_DELAY_AFTER_FAILURES
    if failures < threshold:
        return 0
    doublings = min(failures - threshold, 32)
    return min(settings.SIGNIN_DELAY_BASE_SECONDS * 2**doublings, settings.SIGNIN_DELAY_MAX_SECONDS)


def _wait_left(failures: list[float], now: float) -> float:
    if not failures:
        return 0
    return failures[-1] + signin_delay_seconds(len(failures)) - now


def signin_attempt_allow(*, email: str) -> None:
    """Let a sign-in for ``email`` go on to the password check, or raise ``SigninDelayed``.

    Call it before checking the password. Once a wait is over, one attempt takes the turn; any
    other attempt for the account at that moment waits ``TURN_SECONDS`` at most.
    """
    now = _now()
    key = _account_key(email)
    count_id, failures = _load(key, now)
    if len(failures) < settings.SIGNIN_DELAY_AFTER_FAILURES:
        return
    left = _wait_left(failures, now)
    if left > 0:
        raise SigninDelayed(math.ceil(left))
    # One attempt per wait reaches the password check: the turn is named by the count that set
    # the wait and taken atomically (add), so a burst from many addresses gets one check.
    if not cache.add(f"{key}:turn:{count_id}:{len(failures)}", 1, timeout=TURN_SECONDS):
        raise SigninDelayed(TURN_SECONDS)


def signin_failure_record(*, email: str) -> None:
    """Count one failed sign-in for ``email`` (from any address); tell the owner when this
    failure starts a delay, once per episode."""
    now = _now()
    key = _account_key(email)
    count_id, failures = _load(key, now)
    failures = [*failures, now][-_MAX_KEPT:]
    cache.set(key, {"id": count_id, "failures": failures}, timeout=_keep_for())
    if len(failures) < settings.SIGNIN_DELAY_AFTER_FAILURES:
        return
    # The episode marker lives as long as the count; add() is atomic, so one process sends.
    if cache.add(f"{key}:episode", now, timeout=_keep_for()):
        user_id = _notify_owner(email)
        logger.warning("sign-in delay started user_id=%s", user_id or "none (no such account)")
    else:
        cache.touch(f"{key}:episode", timeout=_keep_for())


def signin_delay_clear(*, email: str) -> None:
    """Forget the failures of ``email``: after a correct password, a password reset, or an admin."""
    key = _account_key(email)
    cache.delete_many([key, f"{key}:episode"])


def signin_delays(emails: Iterable[str]) -> dict[str, int]:
    """For each of ``emails`` whose sign-in is slowed now, the seconds left to wait (0 when the
    wait is over but the next failure would start another). One cache read for all of them."""
    now = _now()
    keys = {_account_key(email): email for email in emails}
    found = cache.get_many(list(keys))
    slowed = {}
    for key, stored in found.items():
        failures = _in_window(stored, now)
        if len(failures) >= settings.SIGNIN_DELAY_AFTER_FAILURES:
            slowed[keys[key]] = max(0, math.ceil(_wait_left(failures, now)))
    return slowed


def _notify_owner(email: str) -> int | None:
    """Plan the notice (an outbox row) for the active account of ``email``, if there is one; its
    id. The row is planned at once, not through a task, so a broker outage cannot lose it."""
    user = User.objects.filter(email__iexact=_normalise(email), is_active=True).first()
    if user is not None:
        _plan_notice(user)
    return user.pk if user is not None else None


def _plan_notice(user: User) -> None:
    account_message_plan(user=user, kind=ParticipantMessage.ACCOUNT_SIGNIN_DELAY)


def signin_delay_notice_send(*, user_id: int) -> bool:
    """Plan the e-mail telling the owner that sign-in to their account is slowed: neutral words,
    no address, no count, and the way out (a password reset). False when there is nobody to tell.
    """
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    _plan_notice(user)
    logger.info("sign-in delay notice planned user_id=%s", user.pk)
    return True
