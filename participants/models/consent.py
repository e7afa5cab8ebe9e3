"""Informed consent: versioned documents and the participants' signatures of them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsentDocument(models.Model):
    """One version of the informed-consent text in one language.

    Version numbers are shared across languages: version N in English and version N in Spanish
    are the same consent, and a signature of either counts as signing version N. The current
    version is the highest one published in the clinic's language (``settings.LANGUAGE_CODE``);
    a translation follows its version, never leads it. A published document is never edited:
    publish a new version instead, and everyone signs again before their next enrollment.
    """

    version = models.PositiveIntegerField(
        _("version"), help_text=_("The same number in each language is the same consent.")
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_(
            "The language of this text. Participants read the current version in their own "
            "language when it is published in it, otherwise in the clinic's language."
        ),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), help_text=_("Plain text; blank lines separate paragraphs."))
    published_at = models.DateTimeField(
        _("published"),
        null=True,
        blank=True,
        help_text=_("Empty while a draft. From this time on, participants must sign this version."),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("consent document")
        verbose_name_plural = _("consent documents")
        ordering = ["-version", "language"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(version__gt=0), name="consent_version_positive"
            ),
            models.UniqueConstraint(
                fields=["version", "language"], name="consent_version_once_per_language"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version}, {self.get_language_display()})"


class ConsentSignature(models.Model):
    """A participant's signature of one version: the typed name, when, from where, and (through
    the document, which is never edited once published) the language the text was read in."""

    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="consent_signatures",
        verbose_name=_("participant"),
    )
    document = models.ForeignKey(
        ConsentDocument,
        on_delete=models.PROTECT,
        related_name="signatures",
        verbose_name=_("document"),
    )
    typed_name = models.CharField(_("name as typed"), max_length=300)
    signed_at = models.DateTimeField(_("signed"))
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("consent signature")
        verbose_name_plural = _("consent signatures")
        ordering = ["-signed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["participant", "document"], name="consent_signed_once_per_version"
            )
        ]

    def __str__(self) -> str:
        return (
            f"{self.participant} · v{self.document.version} "
            f"({self.document.get_language_display()})"
        )
