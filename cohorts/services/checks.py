"""The staff's warning about a cohort below its minimum a week before it starts: a program needs
more notice than a single session's 72 hours (``message_plans.staff_session_checks``)."""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from cohorts.message_kinds import CohortMessage
from cohorts.models import Cohort, CohortStatus
from cohorts.services.locking import lock_cohort
from journease.clinic_time import clinic_today
from outbox.models import Notification
from outbox.services.planning import notification_plan
from participants.models import Role, User
from participants.services.accounts import users_with_role

WARNING_DAYS = 7


def _staff_for(cohort: Cohort) -> list[User]:
    """Every coordinator and the cohort's active facilitators, each once."""
    people = {user.pk: user for user in users_with_role(Role.COORDINATOR)}
    for facilitator in cohort.facilitators.all():
        if facilitator.is_active:
            people[facilitator.pk] = facilitator
    return list(people.values())


def cohort_minimum_check(*, now: datetime.datetime | None = None) -> int:
    """Tell each coordinator and the cohort's facilitators, once, about a published cohort that
    starts within seven days (counted in clinic days from today) with fewer active members than
    its minimum. Returns the messages planned."""
    now = now or timezone.now()
    today = clinic_today(now)
    kind = CohortMessage.STAFF_COHORT_BELOW_MINIMUM
    short = (
        Cohort.objects.filter(
            status=CohortStatus.PUBLISHED,
            start_date__gte=today,
            start_date__lte=today + datetime.timedelta(days=WARNING_DAYS),
            min_participants__gt=0,
        )
        .annotate(active=Count("members", filter=Q(members__left_at__isnull=True)))
        .filter(active__lt=F("min_participants"))
        .select_related("template")
        .prefetch_related("facilitators")
    )
    cohort_type = ContentType.objects.get_for_model(Cohort)
    planned = 0
    for cohort in short:
        # Under the cohort's lock (step 0 of the lock order), who was told is read after any
        # other check holding it (a second beat) has committed: nobody is told twice.
        with transaction.atomic():
            lock_cohort(cohort)
            told = set(
                Notification.objects.filter(
                    kind=kind, subject_type=cohort_type, subject_id=cohort.pk
                ).values_list("recipient_id", flat=True)
            )
            planned += _tell(cohort, told=told, kind=kind, now=now)
    return planned


def _tell(cohort: Cohort, *, told: set[int], kind: str, now: datetime.datetime) -> int:
    """Plan ``kind`` about ``cohort`` for each of its staff not in ``told``."""
    planned = 0
    for person in _staff_for(cohort):
        if person.pk in told:
            continue
        notification_plan(
            recipient=person,
            kind=kind,
            subject=cohort,
            due_at=now,
            context={
                "path": f"/staff/cohorts/{cohort.pk}/",
                "cohort_name": cohort.template.public_name,
                "members": cohort.active,
                "minimum": cohort.min_participants,
            },
            now=now,
        )
        planned += 1
    return planned
