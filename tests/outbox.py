"""Delivering the outbox in tests: messages are rows first; a sweep sends what is due."""

from django.core import mail

from outbox.tasks import notifications_sweep
from participants.tasks import report_failed_messages


def delivered() -> list:
    """Run one minute of beat's outbox work (tasks run in-process in tests): the report of
    failed staff messages, then the sweep; return the captured mailbox."""
    report_failed_messages()
    notifications_sweep()
    return mail.outbox
