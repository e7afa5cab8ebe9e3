"""What Django admin's change form of a group session posts, for tests that drive it."""

from django.utils import timezone

from sessions_app.models import GroupSession


def session_change_data(session: GroupSession, **overrides) -> dict:
    """The session's admin change form as it stands (no inline rows changed), with ``overrides``."""
    start, end = timezone.localtime(session.starts_at), timezone.localtime(session.ends_at)
    data = {
        "session_type": session.session_type_id,
        "title": session.title,
        "starts_at_0": start.strftime("%Y-%m-%d"),
        "starts_at_1": start.strftime("%H:%M:%S"),
        "ends_at_0": end.strftime("%Y-%m-%d"),
        "ends_at_1": end.strftime("%H:%M:%S"),
        "room": session.room_id,
        "capacity": session.capacity,
        "min_participants": session.min_participants,
        "facilitators": [person.pk for person in session.facilitators.all()] if session.pk else [],
        "medical_monitor": session.medical_monitor_id or "",
        "status": session.status,
        "cancellation_reason": session.cancellation_reason,
    }
    for prefix in ("enrollments", "waitlist_entries"):
        data |= {
            f"{prefix}-TOTAL_FORMS": "0",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    return data | overrides
