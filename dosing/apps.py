from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DosingConfig(AppConfig):
    """The dosing day: the medical monitor's live record of a dosing session.

    Above the sessions app (it reads seats and records attendance through the attendance service)
    and below the follow-up (a participant's timeline shows the day).
    """

    name = "dosing"
    verbose_name = _("Dosing day")
