"""What the follow-up does when the apps below it announce something."""

from django.db.models.signals import post_migrate

from followup.services.checkins import checkins_follow_attendance, ensure_default_practices
from sessions_app.models import Enrollment
from sessions_app.signals import attendance_recorded


def _on_attendance(sender, *, enrollment, now, **kwargs) -> None:
    checkins_follow_attendance(enrollment=enrollment, now=now)


def _on_migrate(sender, **kwargs) -> None:
    if sender.name == "followup":
        ensure_default_practices()


def connect() -> None:
    attendance_recorded.connect(
        _on_attendance, sender=Enrollment, dispatch_uid="followup.attendance"
    )
    post_migrate.connect(_on_migrate, dispatch_uid="followup.ensure_default_practices")
