"""The version of the cached list of upcoming sessions."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScheduleVersion(models.Model):
    """The version of the cached list of upcoming sessions: one row whose counter is raised after
    each committed change to what the list shows (``services.schedule_cache``)."""

    counter = models.BigIntegerField(_("counter"))

    class Meta:
        verbose_name = _("schedule version")
        verbose_name_plural = _("schedule versions")

    def __str__(self) -> str:
        return str(self.counter)
