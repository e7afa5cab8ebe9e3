"""Django admin of the retention policies: every change audited, no clinical data among the kinds.

A policy's kind is chosen from ``RetentionKind`` only (the audit log and clinical records are not
among them, and the database refuses any other kind); a record kept less than six years is
refused at the days field (``RetentionPolicy.clean``); a kind that has its policy already is
refused at the kind field (one policy per kind). A policy is never deleted: empty days keep
the data indefinitely. Creating or changing one writes an audit row naming the policy and its
days before and after.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from operations.models import RetentionPolicy
from participants.models import AuditAction
from participants.services.audit import audit_record


def _days_text(days) -> str:
    return "kept indefinitely" if days in (None, "") else f"{days} days"


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(admin.ModelAdmin):
    """How long each kind of non-clinical data is kept before the daily retention run."""

    list_display = ("kind", "days_kept", "is_record", "updated_at")
    fields = ("kind", "days", "updated_at")
    readonly_fields = ("updated_at",)
    ordering = ("kind",)

    def get_readonly_fields(self, request, obj=None):
        # A policy covers one kind for good; another kind gets a policy of its own.
        if obj is not None:
            return ("kind", *self.readonly_fields)
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("kept"), ordering="days")
    def days_kept(self, policy: RetentionPolicy) -> str:
        if policy.days is None:
            return _("indefinitely")
        return _("%(days)s days") % {"days": policy.days}

    @admin.display(boolean=True, description=_("a record (six years at least)"))
    def is_record(self, policy: RetentionPolicy) -> bool:
        return policy.is_record

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            before = _days_text(form.initial.get("days"))
            note = f"Django admin; {obj.kind}: {before} -> {_days_text(obj.days)}"
        else:
            note = f"Django admin; {obj.kind}: {_days_text(obj.days)}"
        audit_record(
            request=request,
            action=AuditAction.UPDATE if change else AuditAction.CREATE,
            record=obj,
            note=note,
        )
