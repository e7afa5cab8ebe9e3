"""The version of the cached list of upcoming sessions: a counter raised after every transaction
that changes what the list shows has committed.

The list (``/sessions/``) is rendered once per version and served from the cache until the
version changes (``selectors.schedule_version``). Raising it on commit, never before, means a
reader can only ever cache a list at least as new as the version it read: a transaction that
commits late still raises it when it commits. The newest ``updated_at``, used before, could not
promise that: written before commit, a late commit could arrive under a version already read.

The counter is one database row (``ScheduleVersion``), raised by an atomic ``UPDATE`` in its
own short transaction after the change commits: shared by every process, never evicted.
"""

import logging
import time

from django.db import IntegrityError, transaction
from django.db.models import F

from sessions_app.models import ScheduleVersion
from sessions_app.selectors import SCHEDULE_VERSION_ROW

logger = logging.getLogger(__name__)


def _raise_version() -> None:
    row = ScheduleVersion.objects.filter(pk=SCHEDULE_VERSION_ROW)
    if row.update(counter=F("counter") + 1):
        return
    try:
        # Missing (a fresh database): start from the clock, so that no list cached under an
        # earlier counter (before the database was emptied) is served again.
        with transaction.atomic():
            ScheduleVersion.objects.create(pk=SCHEDULE_VERSION_ROW, counter=time.time_ns())
    except IntegrityError:  # another process started it a moment ago
        row.update(counter=F("counter") + 1)


def schedule_changed() -> None:
    """Mark the upcoming-sessions list changed once the current transaction commits (at once
    outside a transaction); nothing happens if it rolls back. A failure is logged, never raised:
    the change itself is committed, and the list shows it within the minute."""
    transaction.on_commit(_raise_version, robust=True)
