"""The cohort's place in the project's lock order: **before** everything of
``sessions_app.services.locking``.

A path that changes a cohort's members, or its sessions as a whole (publishing), locks the cohort
row first, then follows the sessions' order: rooms, staff, sessions in ascending primary key,
seats. Only the cohorts' services lock a cohort, and they take it before any room, person or
session, so no path holds a session while waiting for a cohort. Two people joining the same
cohort at once are serialized here: its member count read under this lock stays true until the
transaction ends.
"""

from cohorts.models import Cohort


def lock_cohort(cohort: Cohort) -> Cohort:
    """Step 0: the cohort row (only it: ``of=("self",)``), read again."""
    return Cohort.objects.select_for_update(of=("self",)).get(pk=cohort.pk)
