"""What every entry of a dosing day has: whose seat, who wrote it, when, and what it corrects.

Entries are never edited in place. A correction is a new entry of the same kind that names the
one it replaces (``corrects``) and says why; the current record is the one nothing corrects.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sessions_app.models import Enrollment


class EntryQuerySet(models.QuerySet):
    def current(self):
        """The entries no later entry corrects."""
        return self.filter(corrected_by__isnull=True)


class Entry(models.Model):
    enrollment = models.ForeignKey(
        Enrollment, on_delete=models.PROTECT, related_name="+", verbose_name=_("seat")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    corrects = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrected_by",
        verbose_name=_("corrects"),
    )
    correction_reason = models.TextField(_("why it was corrected"), blank=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["recorded_at", "pk"]

    @property
    def participant(self):
        """Whose record this is (the audit log names them)."""
        return self.enrollment.participant
