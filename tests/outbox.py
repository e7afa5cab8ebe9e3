"""Delivering the outbox in tests: messages are rows first; a sweep sends what is due."""

from django.core import mail

from sessions_app.tasks import notifications_sweep


def delivered() -> list:
    """Run one outbox sweep (tasks run in-process in tests) and return the captured mailbox."""
    notifications_sweep()
    return mail.outbox
