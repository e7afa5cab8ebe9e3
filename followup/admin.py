"""Practices (editable) and check-ins (read-only, audited) in Django admin."""

from django.contrib import admin

from followup.models import CheckIn, Practice
from participants.admin import AuditedAdmin


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    """The practices participants may tick at a check-in; switch one off rather than delete it."""

    list_display = ("name", "code", "position", "is_active")
    list_editable = ("position", "is_active")
    prepopulated_fields = {"code": ("name",)}


@admin.register(CheckIn)
class CheckInAdmin(AuditedAdmin):
    """Check-ins are the participant's answers: read-only here."""

    list_display = ("__str__", "participant", "kind", "opens_at", "completed_at")
    list_filter = ("kind", "opens_at")
    search_fields = ("participant__email", "participant__last_name")
    readonly_fields = [f.name for f in CheckIn._meta.fields] + ["practices"]

    def has_add_permission(self, request) -> bool:
        return False
