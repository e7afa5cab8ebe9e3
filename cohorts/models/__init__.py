"""The cohorts' models, one module per aggregate; import them from here.

A program template (policy edited in Django admin) lists its steps; a cohort made from it on a
start date holds one group session per step, its members and its waitlist.
"""

from cohorts.models.cohorts import Cohort, CohortMember, CohortSession, CohortStatus
from cohorts.models.templates import ProgramStep, ProgramTemplate
from cohorts.models.waitlist import (
    ACTIVE_COHORT_WAITLIST_STATUSES,
    CohortWaitlistEntry,
    CohortWaitlistStatus,
)

__all__ = [
    "ACTIVE_COHORT_WAITLIST_STATUSES",
    "Cohort",
    "CohortMember",
    "CohortSession",
    "CohortStatus",
    "CohortWaitlistEntry",
    "CohortWaitlistStatus",
    "ProgramStep",
    "ProgramTemplate",
]
