"""The audit log: who read or changed which clinical record, when, and from where.

Append-only: rows are never updated or deleted, not by the ORM (refused here) and, on
PostgreSQL, not by SQL either (triggers created by migration refuse UPDATE, DELETE and TRUNCATE;
see ``participants/migrations/0006_audit_refuses_truncate.py``).
It holds no clinical content: the record's kind and opaque id, never answers or scores.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    VIEW = "view", _("Viewed")
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    SUBMIT = "submit", _("Submitted")
    DECIDE = "decide", _("Decided")
    ACKNOWLEDGE = "acknowledge", _("Acknowledged")
    CLOSE = "close", _("Closed")
    SIGN = "sign", _("Signed")
    EXPORT = "export", _("Exported")
    DELETE = "delete", _("Deleted")


class AuditLogError(Exception):
    """The audit log is append-only."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditLogError("The audit log is append-only.")

    def delete(self):
        raise AuditLogError("The audit log is append-only.")


class AuditEvent(models.Model):
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_email = models.EmailField(_("who (e-mail at the time)"), blank=True)
    action = models.CharField(_("what"), max_length=20, choices=AuditAction.choices)
    record_type = models.CharField(_("record"), max_length=40)
    record_id = models.CharField(_("record id"), max_length=64, blank=True)
    participant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("whose record"),
    )
    ip_address = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=255, blank=True)
    note = models.TextField(
        _("note"),
        blank=True,
        help_text=_(
            "Why a record was removed (the retention purge's reason), or, for a list, its "
            "filter and the records shown. Never clinical content."
        ),
    )

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit log")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["record_type", "record_id"], name="audit_record_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_email} {self.action} {self.record_type}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AuditLogError("The audit log is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditLogError("The audit log is append-only.")
