"""What cohorts do when the apps below them announce something: a member who signs the current
consent, or whose preparation circle's attendance is recorded, has their dosing seats checked
again at once (``services.readiness``) rather than at the next quarter hour."""

from django.db import transaction
from django.db.models.signals import post_save

from cohorts.services.readiness import cohort_dosing_readiness_check
from participants.models import ConsentSignature
from sessions_app.models import Enrollment
from sessions_app.signals import attendance_recorded


def _check_after_commit(participant_id: int, now) -> None:
    # After the commit: the check locks the dosing sessions, which must not be taken while the
    # caller holds another session's lock (the lock order), and sees what was just saved. Robust:
    # a failure is logged, never the signer's or the staff's error; the quarter-hour run follows.
    transaction.on_commit(
        lambda: cohort_dosing_readiness_check(participant_id=participant_id, now=now),
        robust=True,
    )


def _on_consent_signed(sender, *, instance, created, **kwargs) -> None:
    if created:
        _check_after_commit(instance.participant_id, now=instance.signed_at)


def _on_attendance(sender, *, enrollment, now, **kwargs) -> None:
    if not enrollment.session.session_type.is_dosing:
        _check_after_commit(enrollment.participant_id, now=now)


def connect() -> None:
    post_save.connect(
        _on_consent_signed, sender=ConsentSignature, dispatch_uid="cohorts.readiness.consent"
    )
    attendance_recorded.connect(
        _on_attendance, sender=Enrollment, dispatch_uid="cohorts.readiness.attendance"
    )
