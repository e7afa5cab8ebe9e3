"""Django admin of the dosing day: the protocols (every change audited), the clinic's list of
medications, and the day's entries, read-only and audited as clinical records.

A protocol is the medical director's numbers, not a participant's record: its changes (create,
change, delete) write one audit row each, naming the protocol and the fields changed; opening it
does not. The entries are written only by the dosing day's services (locked, checked, audited),
so admin shows them and never adds, changes or deletes one; listing or opening them is audited
(``AuditedAdmin``).
"""

from django.contrib import admin, messages
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from dosing.models import (
    AdverseEvent,
    Arrival,
    Discharge,
    Dose,
    DosingProtocol,
    GateOverride,
    Medication,
    MonitorPresence,
    NotDosed,
    PreDoseReading,
    Vitals,
    limit_field,
)
from dosing.models.protocol import BOUNDS
from participants.admin import AuditedAdmin
from participants.models import AuditAction
from participants.services.audit import audit_record
from sessions_app.models import SessionKind


def _limits(set_name: str) -> tuple[str, ...]:
    return tuple(limit_field(set_name, measure, bound) for measure, bound in BOUNDS)


@admin.register(DosingProtocol)
class DosingProtocolAdmin(admin.ModelAdmin):
    """One protocol per dosing session type. None of its numbers has a default: until every one
    is set, a session of the type cannot start its record. ``DosingProtocol.clean`` refuses a
    lowest at or above its highest, and a gate or alarm limit outside the absolute limits."""

    list_display = ("session_type", "complete", "missing_count", "updated_at")
    list_select_related = ("session_type",)
    search_fields = ("session_type__name",)
    ordering = ("session_type__name",)
    readonly_fields = ("missing_settings", "updated_at")
    fieldsets = (
        (None, {"fields": ("session_type", "missing_settings", "updated_at")}),
        (
            _("The pre-dose gate"),
            {
                "fields": _limits("pre"),
                "description": _(
                    "A pre-dose reading outside these limits says “do not dose yet”: a re-check "
                    "after rest, or a prescriber's override with a reason."
                ),
            },
        ),
        (
            _("Post-dose alarms"),
            {
                "fields": _limits("alarm"),
                "description": _("A reading after the dose outside these limits raises an alarm."),
            },
        ),
        (
            _("Absolute limits"),
            {
                "fields": _limits("absolute"),
                "description": _(
                    "No override passes a reading outside these. The gate and the alarm limits "
                    "lie inside them."
                ),
            },
        ),
        (_("The vitals schedule"), {"fields": ("vitals_first_minutes", "vitals_every_minutes")}),
        (_("Discharge"), {"fields": ("discharge_after_minutes",)}),
        (
            _("Near baseline"),
            {
                "fields": (
                    "baseline_systolic_delta",
                    "baseline_diastolic_delta",
                    "baseline_pulse_delta",
                ),
                "description": _(
                    "How far from the pre-dose reading vitals may be and still count as near "
                    "baseline at discharge."
                ),
            },
        ),
    )

    def get_readonly_fields(self, request, obj=None):
        # A protocol belongs to its session type; another type gets a protocol of its own.
        if obj is not None:
            return ("session_type", *self.readonly_fields)
        return self.readonly_fields

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "session_type":
            kwargs["queryset"] = db_field.related_model.objects.filter(kind=SessionKind.DOSING)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(boolean=True, description=_("complete"))
    def complete(self, protocol: DosingProtocol) -> bool:
        return protocol.is_complete

    @admin.display(description=_("settings missing"))
    def missing_count(self, protocol: DosingProtocol) -> int:
        return len(protocol.missing())

    @admin.display(description=_("still missing"))
    def missing_settings(self, protocol: DosingProtocol | None) -> str:
        missing = protocol.missing() if protocol is not None and protocol.pk else None
        if missing is None:
            return _("Every setting below, until they are set.")
        if not missing:
            return _("Nothing: sessions of this type may start their record.")
        return "; ".join(missing)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        changed = ", ".join(form.changed_data) if change else ""
        audit_record(
            request=request,
            action=AuditAction.UPDATE if change else AuditAction.CREATE,
            record=obj,
            note=f"Django admin; changed: {changed}" if change else "Django admin",
        )
        missing = obj.missing()
        if missing:
            messages.warning(
                request,
                _("Sessions of this type cannot start their record until these are set: %(m)s")
                % {"m": "; ".join(missing)},
            )

    def delete_model(self, request, obj):
        audit_record(request=request, action=AuditAction.DELETE, record=obj, note="Django admin")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for protocol in queryset:
                audit_record(
                    request=request,
                    action=AuditAction.DELETE,
                    record=protocol,
                    note="Django admin",
                )
            super().delete_queryset(request, queryset)


@admin.register(Medication)
class MedicationAdmin(admin.ModelAdmin):
    """The clinic's list a dose is chosen from; take one out of use rather than delete it (past
    doses name it)."""

    list_display = ("name", "is_active")
    list_editable = ("is_active",)
    list_filter = ("is_active",)
    search_fields = ("name",)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(
    Arrival, PreDoseReading, GateOverride, NotDosed, Dose, Vitals, AdverseEvent, Discharge
)
class EntryAdmin(AuditedAdmin):
    """A dosing day's entries, read-only: the services write them, a correction is a new entry.
    Listing and opening them is audited (``AuditedAdmin``)."""

    list_display = (
        "__str__",
        "participant_name",
        "session",
        "recorded_at",
        "recorded_by",
        "current",
    )
    list_select_related = ("enrollment__participant", "enrollment__session", "recorded_by")
    list_filter = (("recorded_at", admin.DateFieldListFilter),)
    search_fields = (
        "enrollment__participant__email",
        "enrollment__participant__last_name",
        "enrollment__session__title",
    )

    def get_queryset(self, request):
        corrected = self.model.objects.filter(corrects=OuterRef("pk"))
        return super().get_queryset(request).annotate(is_corrected=Exists(corrected))

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("participant"), ordering="enrollment__participant__last_name")
    def participant_name(self, entry) -> str:
        return entry.enrollment.participant.get_full_name()

    @admin.display(description=_("session"), ordering="enrollment__session__starts_at")
    def session(self, entry) -> str:
        return str(entry.enrollment.session)

    @admin.display(boolean=True, description=_("current"))
    def current(self, entry) -> bool:
        return not entry.is_corrected


@admin.register(MonitorPresence)
class MonitorPresenceAdmin(admin.ModelAdmin):
    """When each session's medical monitor confirmed being present: read-only."""

    list_display = ("session", "monitor", "confirmed_at")
    list_select_related = ("session", "monitor")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
