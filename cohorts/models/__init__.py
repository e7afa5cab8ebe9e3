"""The cohorts' models, one module per aggregate; import them from here.

A program template (policy edited in Django admin) lists its steps; a cohort made from it on a
start date holds one group session per step and its members.
"""

from cohorts.models.cohorts import Cohort, CohortMember, CohortSession, CohortStatus
from cohorts.models.templates import ProgramStep, ProgramTemplate

__all__ = [
    "Cohort",
    "CohortMember",
    "CohortSession",
    "CohortStatus",
    "ProgramStep",
    "ProgramTemplate",
]
