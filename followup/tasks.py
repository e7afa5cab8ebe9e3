"""Celery tasks of the follow-up."""

from celery import shared_task

from followup.services.checkins import checkin_nudges_plan


# The name it had when check-ins lived in the participants app: beat and queued tasks find it.
@shared_task(name="participants.plan_checkin_nudges", ignore_result=True)
def plan_checkin_nudges() -> int:
    """Beat, every 15 minutes: plan the next daily reminder of unanswered check-ins."""
    return checkin_nudges_plan()
