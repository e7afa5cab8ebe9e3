from celery import shared_task

from cohorts.services import checks, readiness


@shared_task(name="cohorts.minimum_check", ignore_result=True)
def cohort_minimum_check() -> int:
    """Every quarter hour: cohorts below their minimum a week before they start (once each)."""
    return checks.cohort_minimum_check()


@shared_task(name="cohorts.dosing_readiness_check", ignore_result=True)
def cohort_dosing_readiness_check() -> int:
    """Every quarter hour: members' seats in the week's dosing sessions checked again (a missed
    preparation circle, a new consent version), flagged and the member told once per problem."""
    return readiness.cohort_dosing_readiness_check()
