from celery import shared_task

from cohorts.services import checks


@shared_task(name="cohorts.minimum_check", ignore_result=True)
def cohort_minimum_check() -> int:
    """Every quarter hour: cohorts below their minimum a week before they start (once each)."""
    return checks.cohort_minimum_check()
