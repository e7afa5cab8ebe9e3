"""Validated translations of the published screening instruments, loaded by the clinic as data.

The app never writes a translation of PHQ-9, GAD-7 or the C-SSRS screener: a translation is the
published text the clinic supplies with its source and version, loaded from a file
(``services.instrument_translations``), and kept after it is replaced so that a screening's
record of the wording it was answered in still names it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from participants.instruments.translations import INSTRUMENT_NAMES


class Instrument(models.TextChoices):
    PHQ9 = "phq9", INSTRUMENT_NAMES["phq9"]
    GAD7 = "gad7", INSTRUMENT_NAMES["gad7"]
    CSSRS = "cssrs", INSTRUMENT_NAMES["cssrs"]


class InstrumentTranslation(models.Model):
    """One published translation of one instrument, as loaded; one active per language.

    ``texts`` has exactly the keys of the English instrument
    (``instruments.translations.ENGLISH_TEXTS``). ``test_data`` marks a file made for tests or
    demonstrations: its wording is shown with a notice that it is not the validated text.
    """

    instrument = models.CharField(_("instrument"), max_length=10, choices=Instrument.choices)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    texts = models.JSONField(_("texts"), default=dict)
    source = models.TextField(
        _("source"), help_text=_("Publisher and citation of the validated translation.")
    )
    version = models.CharField(_("version"), max_length=100)
    test_data = models.BooleanField(
        _("test data"),
        default=False,
        help_text=_("Made for tests or demonstrations: not the validated text."),
    )
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Shown to participants reading this language.")
    )
    file_name = models.CharField(_("loaded from"), max_length=255, blank=True)
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("loaded by"),
    )
    loaded_at = models.DateTimeField(_("loaded"))

    class Meta:
        verbose_name = _("instrument translation")
        verbose_name_plural = _("instrument translations")
        ordering = ["instrument", "language", "-loaded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["instrument", "language"],
                condition=Q(is_active=True),
                name="instrument_translation_one_active",
            ),
            models.CheckConstraint(
                condition=Q(instrument__in=Instrument.values),
                name="instrument_translation_known_instrument",
            ),
            # English is the instrument's own wording, never a translation.
            models.CheckConstraint(
                condition=~Q(language="en"), name="instrument_translation_not_english"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_instrument_display()} · {self.language} · {self.version}"
