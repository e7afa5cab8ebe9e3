from celery import shared_task

from cohorts.services import checks, waitlist


@shared_task(name="cohorts.minimum_check", ignore_result=True)
def cohort_minimum_check() -> int:
    """Every quarter hour: cohorts below their minimum a week before they start (once each)."""
    return checks.cohort_minimum_check()


@shared_task(name="cohorts.waitlist_expire_offers", ignore_result=True)
def cohort_waitlist_expire_offers() -> int:
    """Every minute (beat): expire waitlist offers past their time and pass each place on; at
    join-until, end every place in line."""
    return waitlist.cohort_waitlist_expire()
