"""The messages a cohort sends: the welcome with the whole schedule, and the staff's warning when a
cohort is below its minimum a week before it starts. Declared here once and registered with the
outbox by ``register`` (called from ``CohortsConfig.ready``); each one's words are the templates
named after it. Each session's reminders stay the sessions app's."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from cohorts.models import CohortMember
from outbox import kinds
from outbox.kinds import MessageSpec


class CohortMessage(models.TextChoices):
    COHORT_WELCOME = "cohort_welcome", _("Program: welcome with the whole schedule")
    STAFF_COHORT_BELOW_MINIMUM = (
        "staff_cohort_below_minimum",
        _("Staff: a program group below its minimum a week before"),
    )


K = CohortMessage

SPECS = {
    K.COHORT_WELCOME: MessageSpec(default_path="/me/sessions/"),
    K.STAFF_COHORT_BELOW_MINIMUM: MessageSpec(to_staff=True, default_path="/staff/"),
}


def register() -> None:
    for kind in CohortMessage:
        kinds.register(kind, SPECS[kind])
    kinds.register_subject_queryset(
        lambda: CohortMember.objects.select_related("cohort__template", "cohort__room")
    )
