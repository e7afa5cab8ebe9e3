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


# GSM 03.38: the characters a text carries in 7 bits (160 a segment), and the extension table's,
# which take two. Anything else (á, í, ó, ú, emoji...) sends the whole text as UCS-2: 70 a segment.
GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = frozenset("^{}\\[~]|€\f")


def sms_segments(body: str) -> int:
    """How many segments a provider bills ``body`` as (concatenated parts carry a 6-7 byte header:
    153 GSM characters or 67 UCS-2 characters each)."""
    if all(char in GSM_BASIC or char in GSM_EXTENSION for char in body):
        units = sum(2 if char in GSM_EXTENSION else 1 for char in body)
        single, part = 160, 153
    else:
        units = sum(2 if ord(char) > 0xFFFF else 1 for char in body)  # UTF-16 code units
        single, part = 70, 67
    if units <= single:
        return 1
    return -(-units // part)


# Letters outside GSM 03.38 that have a plain GSM neighbour: the fallback when a text in accented
# Spanish would need a third segment (é, ñ, ü, ¿ and ¡ are GSM already and stay).
_GSM_NEIGHBOURS = str.maketrans("áíóúÁÍÓÚâêîôûçÈÌÒÙ“”‘’–—…", "aiouAIOUaeiouçEIOU\"\"''--.")
MAX_SEGMENTS = 2


def sms_fit(body: str) -> str:
    """``body`` as sent: as written when it fits ``MAX_SEGMENTS``; else with accents a GSM phone
    shows plainly (``ó`` as ``o``), which doubles the room a segment has (153 characters, not 67).
    The words never change, and a text already in GSM is never touched."""
    if sms_segments(body) <= MAX_SEGMENTS:
        return body
    return body.translate(_GSM_NEIGHBOURS)
