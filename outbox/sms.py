"""Text messages through a small backend interface, chosen by the ``SMS_BACKEND`` setting.

A real provider is one more subclass of ``BaseSmsBackend``; callers never change.
"""

import logging
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class BaseSmsBackend:
    """Send one text or raise: any exception makes the outbox retry the message later."""

    def send(self, *, to: str, body: str) -> None:
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    """Development: prints the message, like Django's console e-mail backend."""

    def send(self, *, to: str, body: str) -> None:
        print(f"--- SMS to {to} ---\n{body}\n---", flush=True)  # noqa: T201


outbox: list[dict] = []


class LocmemSmsBackend(BaseSmsBackend):
    """Tests: keeps messages in ``outbox.sms.outbox``."""

    def send(self, *, to: str, body: str) -> None:
        outbox.append({"to": to, "body": body})


@cache
def _backend_class(path: str) -> type[BaseSmsBackend]:
    return import_string(path)


def send_sms(*, to: str, body: str) -> None:
    _backend_class(settings.SMS_BACKEND)().send(to=to, body=body)
