from celery import shared_task

from cohorts.services import checks, readiness, waitlist


@shared_task(name="cohorts.minimum_check", ignore_result=True)
def cohort_minimum_check() -> int:
    """Every quarter hour: cohorts below their minimum a week before they start (once each)."""
    return checks.cohort_minimum_check()


@shared_task(name="cohorts.dosing_readiness_check", ignore_result=True)
def cohort_dosing_readiness_check() -> int:
    """Every quarter hour: members' seats in the week's dosing sessions checked again (a missed
    preparation circle, a new consent version), flagged and the member told once per problem."""
    return readiness.cohort_dosing_readiness_check()


@shared_task(name="cohorts.waitlist_expire_offers", ignore_result=True)
def cohort_waitlist_expire_offers() -> int:
    """Every minute (beat): expire waitlist offers past their time and pass each place on; at
    join-until, end every place in line."""
    return waitlist.cohort_waitlist_expire()
