"""The sessions app's models, one module per aggregate; import them from here.

Session types and rooms (policy staff edit in Django admin), group sessions, seats (enrollments
and their history), the waitlist, the upcoming list's version and calendar feeds. Times are stored
in UTC and shown in the clinic's zone.
"""

from sessions_app.models.calendars import CalendarFeed
from sessions_app.models.rooms import Room
from sessions_app.models.schedule import ScheduleVersion
from sessions_app.models.seats import (
    ATTENDANCE_MARKS,
    SEAT_HOLDING_STATUSES,
    Enrollment,
    EnrollmentAction,
    EnrollmentEvent,
    EnrollmentStatus,
)
from sessions_app.models.session_types import SessionKind, SessionType
from sessions_app.models.sessions import GroupSession, SessionStatus
from sessions_app.models.waitlist import (
    ACTIVE_WAITLIST_STATUSES,
    WaitlistEntry,
    WaitlistStatus,
)

__all__ = [
    "ACTIVE_WAITLIST_STATUSES",
    "ATTENDANCE_MARKS",
    "SEAT_HOLDING_STATUSES",
    "CalendarFeed",
    "Enrollment",
    "EnrollmentAction",
    "EnrollmentEvent",
    "EnrollmentStatus",
    "GroupSession",
    "Room",
    "ScheduleVersion",
    "SessionKind",
    "SessionStatus",
    "SessionType",
    "WaitlistEntry",
    "WaitlistStatus",
]
