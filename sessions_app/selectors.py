"""Reads of sessions for pages: each returns a queryset whose query count does not grow with rows."""

import datetime

from django.db.models import QuerySet
from django.utils import timezone

from sessions_app.models import GroupSession, SessionStatus


def _with_related(queryset: QuerySet[GroupSession]) -> QuerySet[GroupSession]:
    return queryset.select_related("session_type", "room", "medical_monitor").prefetch_related(
        "facilitators"
    )


def session_list_upcoming(
    *, now: datetime.datetime | None = None, session_type_id: int | None = None
) -> QuerySet[GroupSession]:
    """Published sessions that have not started yet, soonest first: what participants may browse."""
    queryset = GroupSession.objects.filter(
        status=SessionStatus.PUBLISHED, starts_at__gt=now or timezone.now()
    )
    if session_type_id:
        queryset = queryset.filter(session_type_id=session_type_id)
    return _with_related(queryset).order_by("starts_at", "pk")


def session_list_for_staff(
    *, start: datetime.datetime, end: datetime.datetime
) -> QuerySet[GroupSession]:
    """Every session starting in [start, end), drafts and cancelled ones included."""
    queryset = GroupSession.objects.filter(starts_at__gte=start, starts_at__lt=end)
    return _with_related(queryset).order_by("starts_at", "pk")
