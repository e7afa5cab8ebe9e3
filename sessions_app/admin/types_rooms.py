"""Django admin of session types and rooms: the words participants read stand beside their
Spanish companions (``journease.reader_language``)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from sessions_app.models import Room, SessionType
from sessions_app.services.schedule_cache import schedule_changed


class ShownOnTheSchedule:
    """A type's or room's name is on the upcoming sessions and the staff calendar, which are
    rendered once per schedule version: an edit here raises it once it commits."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        schedule_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        schedule_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        schedule_changed()


@admin.register(SessionType)
class SessionTypeAdmin(ShownOnTheSchedule, admin.ModelAdmin):
    list_display = (
        "name",
        "kind",
        "duration_minutes",
        "default_capacity",
        "requires_medical_monitor",
        "is_active",
    )
    list_filter = ("kind", "is_active", "requires_medical_monitor")
    search_fields = ("name", "public_name")
    # The words participants read, each English field beside its Spanish companion.
    fieldsets = (
        (
            _("What participants read (English, then Spanish)"),
            {
                "description": _(
                    "The Spanish texts are shown to participants who read Spanish; left blank, "
                    "they read the English."
                ),
                "fields": (
                    ("name", "name_es"),
                    ("public_name", "public_name_es"),
                    ("description", "description_es"),
                    ("preparation_instructions", "preparation_instructions_es"),
                ),
            },
        ),
        (
            _("Rules"),
            {
                "fields": (
                    "kind",
                    "duration_minutes",
                    "default_capacity",
                    "min_participants",
                    "requires_screening",
                    "requires_consent",
                    "requires_medical_monitor",
                    "enrollment_closes_hours",
                    "cancellation_cutoff_hours",
                    "min_days_between_dosing",
                    "prerequisite_kind",
                    "prerequisite_within_days",
                    "waitlist_offer_hours",
                )
            },
        ),
        (
            _("Messages"),
            {
                "fields": (
                    "reminder_prepare_hours",
                    "reminder_ride_hours",
                    "reminder_soon_hours",
                    "prompt_self_compassion_days",
                    "prompt_somatic_days",
                    "checkin_week_days",
                    "checkin_month_days",
                    "prompt_local_time",
                )
            },
        ),
        (None, {"fields": ("is_active",)}),
    )


@admin.register(Room)
class RoomAdmin(ShownOnTheSchedule, admin.ModelAdmin):
    list_display = ("name", "capacity", "location", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "location")
    # The name is a proper name; what participants read has its Spanish beside it.
    fields = (
        "name",
        "location",
        "capacity",
        ("directions", "directions_es"),
        ("accessibility_notes", "accessibility_notes_es"),
        "is_active",
    )
