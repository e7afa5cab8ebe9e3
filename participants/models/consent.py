"""Informed consent: versioned documents and the participants' signatures of them."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ConsentDocument(models.Model):
    """One version of the informed-consent text. The current one is the highest published version.

    A published version is never edited: publish a new version instead, and everyone signs again
    before their next enrollment.
    """

    version = models.PositiveIntegerField(_("version"), unique=True)
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
        ordering = ["-version"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(version__gt=0), name="consent_version_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"


class ConsentSignature(models.Model):
    """A participant's signature of one version: the typed name, when, and from where."""

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
        return f"{self.participant} · v{self.document.version}"
