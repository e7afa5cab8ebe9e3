"""How the engine reaches a recipient, told by the app that keeps people's contact details.

The outbox sends e-mail to ``recipient.email``; anything more (a phone for texts, whether the
person wants non-essential prompts, the language they read) belongs to the accounts app, which registers it once in its
``AppConfig.ready``. Until then nobody gets texts and everybody gets prompts.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings


@dataclass(frozen=True)
class ContactBook:
    # Paths from a recipient that ``select_related`` follows, so a batch reads contacts at once.
    related: tuple[str, ...] = ()
    # The number a text goes to, or "" when the person takes no texts.
    sms_number: Callable[[Any], str] = lambda recipient: ""
    # Whether the person wants non-essential messages (integration prompts).
    wants_prompts: Callable[[Any], bool] = lambda recipient: True
    # The language the person reads messages in, read when a message is sent (never planned).
    language: Callable[[Any], str] = lambda recipient: settings.LANGUAGE_CODE


_book = ContactBook()


def register(book: ContactBook) -> None:
    global _book
    _book = book


def book() -> ContactBook:
    return _book
