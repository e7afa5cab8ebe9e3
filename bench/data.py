"""Realistic data at a given scale, on top of the demo seeder (accounts, rooms, session types)."""

from dataclasses import dataclass, field

from django.db import connection


@dataclass
class BenchData:
    """What the measurements need to know about the data: who signs in, which session to open."""

    scale: int
    coordinator_id: int
    clinician_id: int
    session_id: int
    counts: dict = field(default_factory=dict)

    def describe(self) -> str:
        return ", ".join(f"{value:,} {name}" for name, value in self.counts.items())


def _count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 - our own table names
        return cursor.fetchone()[0]


def build(*, scale: int) -> BenchData:
    from participants.models import User
    from sessions_app.demo import seed_demo
    from sessions_app.models import GroupSession, SessionStatus

    seed_demo()
    session = (
        GroupSession.objects.filter(status=SessionStatus.PUBLISHED).order_by("starts_at").first()
    )
    return BenchData(
        scale=scale,
        coordinator_id=User.objects.get(email="coordinator@journease.test").pk,
        clinician_id=User.objects.get(email="prescriber@journease.test").pk,
        session_id=session.pk,
        counts={
            "sessions": _count("sessions_app_groupsession"),
            "participants": User.objects.filter(groups__name="Participant").count(),
            "enrollments": _count("sessions_app_enrollment"),
            "check-ins": _count("participants_checkin"),
            "notifications": _count("sessions_app_notification"),
        },
    )
