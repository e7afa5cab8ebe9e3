"""Celery tasks of the participants app: thin, idempotent, keyed by primary key."""

from celery import shared_task

from participants.services.accounts import email_verification_send


@shared_task(name="participants.send_email_verification", ignore_result=True)
def send_email_verification(user_id: int) -> bool:
    """Send the verification e-mail; a no-op once the address is verified."""
    return email_verification_send(user_id=user_id)
