from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CohortsConfig(AppConfig):
    """Cohorts: a program run as one closed group that prepares, doses and integrates together.

    Above the sessions app (a cohort's sessions are group sessions, created and booked through its
    services) and below the follow-up; beside the dosing day, which it does not import.
    """

    name = "cohorts"
    verbose_name = _("Cohorts")

    def ready(self) -> None:
        # start-up: these touch models, which exist only once the app registry is ready.
        from cohorts import contributions, message_kinds, receivers

        message_kinds.register()
        contributions.register()
        receivers.connect()
