"""Django admin for capacity management: session types, rooms, sessions with their enrollments.

The session form runs the scheduling rules of ``services/scheduling.py`` (room and staff free,
capacity within the room's and not below the seats taken, a monitor for a published dosing
session); the seat columns come from the one seat selector, annotated, not queried per row.
"""

import csv

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from sessions_app.models import (
    Enrollment,
    EnrollmentStatus,
    GroupSession,
    Notification,
    Room,
    SessionStatus,
    SessionType,
    WaitlistEntry,
)
from sessions_app.selectors import session_roster, with_seat_counts
from sessions_app.services import scheduling, waitlist
from sessions_app.services.notifications import notifications_retry
from sessions_app.services.scheduling import SchedulingError, SessionDetails


@admin.register(SessionType)
class SessionTypeAdmin(admin.ModelAdmin):
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


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("name", "capacity", "location", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "location")


class SeatsChangeOnTheRoster:
    """Seats and waitlist places change only through the enrollment and waitlist services (the
    roster and the participant's pages), which lock the session, apply every rule and make the
    offers. Admin shows them, for search and the record."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class EnrollmentInline(SeatsChangeOnTheRoster, admin.TabularInline):
    model = Enrollment
    extra = 0
    fields = (
        "participant",
        "status",
        "late_cancellation",
        "ride_home_name",
        "ride_home_phone",
        "instructions_acknowledged_at",
        "created_at",
    )
    readonly_fields = fields
    show_change_link = True


class WaitlistEntryInline(SeatsChangeOnTheRoster, admin.TabularInline):
    model = WaitlistEntry
    extra = 0
    fields = ("participant", "status", "joined_at", "offer_expires_at")
    readonly_fields = fields


class GroupSessionAdminForm(forms.ModelForm):
    """Runs the scheduling rules, so admin cannot double-book or overfill a room either."""

    class Meta:
        model = GroupSession
        fields = (
            "session_type",
            "title",
            "starts_at",
            "ends_at",
            "room",
            "capacity",
            "min_participants",
            "facilitators",
            "medical_monitor",
            "status",
            "cancellation_reason",
        )

    def clean(self):
        cleaned = super().clean()
        needed = ("session_type", "room", "starts_at", "ends_at", "capacity")
        if any(cleaned.get(name) in (None, "") for name in needed):
            return cleaned
        details = SessionDetails(
            session_type=cleaned["session_type"],
            title=cleaned.get("title") or cleaned["session_type"].name,
            starts_at=cleaned["starts_at"],
            ends_at=cleaned["ends_at"],
            room=cleaned["room"],
            capacity=cleaned["capacity"],
            min_participants=cleaned.get("min_participants") or 0,
            facilitators=tuple(cleaned.get("facilitators") or ()),
            medical_monitor=cleaned.get("medical_monitor"),
        )
        errors = scheduling.session_check(
            details=details,
            session=self.instance if self.instance.pk else None,
            publishing=cleaned.get("status") == SessionStatus.PUBLISHED,
        )
        for name, texts in errors.items():
            target = name if name in self.fields else None
            for text in texts:
                self.add_error(target, text)
        return cleaned


@admin.register(GroupSession)
class GroupSessionAdmin(admin.ModelAdmin):
    form = GroupSessionAdminForm
    list_display = (
        "title",
        "starts_at",
        "room",
        "capacity",
        "seats_taken_column",
        "seats_left_column",
        "waitlist_column",
        "status",
    )
    list_filter = ("status", "session_type", "room", ("starts_at", admin.DateFieldListFilter))
    search_fields = ("title", "session_type__name", "room__name")
    date_hierarchy = "starts_at"
    list_select_related = ("session_type", "room")
    list_max_show_all = 1000
    autocomplete_fields = ("facilitators", "medical_monitor")
    readonly_fields = (
        "created_by",
        "created_at",
        "updated_at",
        "cancelled_at",
        "cancelled_by",
        "attendance_taken_at",
    )
    inlines = [EnrollmentInline, WaitlistEntryInline]
    actions = ["publish_sessions", "cancel_sessions", "export_roster_csv"]

    def get_queryset(self, request):
        return with_seat_counts(super().get_queryset(request))

    def save_model(self, request, obj, form, change):
        """Save the plain fields; a move or a cancellation waits for ``save_related``.

        Moving and cancelling go through their one service each (``session_reschedule``,
        ``session_cancel``), so admin changes tell participants like the staff pages do. They
        run after the facilitators are saved, inside admin's transaction.
        """
        form.pending_move = form.pending_cancel = None
        if not change:
            obj.created_by = request.user
            super().save_model(request, obj, form, change)
            return
        previous = GroupSession.objects.select_for_update().get(pk=obj.pk)
        form.capacity_raised = obj.capacity > previous.capacity
        if (previous.starts_at, previous.ends_at, previous.room_id) != (
            obj.starts_at,
            obj.ends_at,
            obj.room_id,
        ):
            form.pending_move = (obj.starts_at, obj.ends_at, obj.room)
            obj.starts_at, obj.ends_at, obj.room = (
                previous.starts_at,
                previous.ends_at,
                previous.room,
            )
        if obj.status == SessionStatus.CANCELLED and previous.status != SessionStatus.CANCELLED:
            form.pending_cancel = obj.cancellation_reason
            obj.status, obj.cancellation_reason = previous.status, previous.cancellation_reason
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        session = form.instance
        if getattr(form, "pending_move", None):
            starts_at, ends_at, room = form.pending_move
            scheduling.session_reschedule(
                session=session, starts_at=starts_at, ends_at=ends_at, room=room, by=request.user
            )
        if getattr(form, "pending_cancel", None):
            scheduling.session_cancel(session=session, reason=form.pending_cancel, by=request.user)
        elif getattr(form, "capacity_raised", False):
            waitlist.waitlist_fill_held_seats(session=session)

    @admin.display(description=_("seats taken"), ordering="seats_taken")
    def seats_taken_column(self, session: GroupSession) -> int:
        return session.seats_taken

    @admin.display(description=_("seats left"), ordering="seats_left")
    def seats_left_column(self, session: GroupSession) -> int:
        return session.seats_left

    @admin.display(description=_("waitlist"), ordering="waitlist_count")
    def waitlist_column(self, session: GroupSession) -> int:
        return session.waitlist_count

    @admin.action(description=_("Publish the selected sessions"))
    def publish_sessions(self, request, queryset):
        result = scheduling.sessions_publish_many(sessions=queryset, by=request.user)
        if result["published"]:
            self.message_user(
                request,
                ngettext(
                    "%(n)d session published.",
                    "%(n)d sessions published.",
                    len(result["published"]),
                )
                % {"n": len(result["published"])},
                messages.SUCCESS,
            )
        for session, error in result["refused"].items():
            self.message_user(
                request,
                _("%(session)s (%(when)s) was not published: %(why)s")
                % {
                    "session": session.title,
                    "when": timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M"),
                    "why": error,
                },
                messages.ERROR,
            )

    @admin.action(description=_("Cancel the selected sessions"))
    def cancel_sessions(self, request, queryset):
        reason = (request.POST.get("reason") or "").strip()
        if request.POST.get("confirm") and reason:
            done = 0
            for session in queryset:
                try:
                    scheduling.session_cancel(session=session, reason=reason, by=request.user)
                    done += 1
                except SchedulingError as error:
                    self.message_user(request, f"{session.title}: {error}", messages.ERROR)
            if done:
                self.message_user(
                    request,
                    ngettext("%(n)d session cancelled.", "%(n)d sessions cancelled.", done)
                    % {"n": done},
                    messages.SUCCESS,
                )
            return None
        return TemplateResponse(
            request,
            "admin/sessions_app/groupsession/cancel_confirmation.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Cancel sessions"),
                "sessions": queryset,
                "reason_missing": bool(request.POST.get("confirm")),
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )

    @admin.action(description=_("Export the roster of the selected sessions (CSV)"))
    def export_roster_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="roster.csv"'
        writer = csv.writer(response)
        writer.writerow(
            [
                _("session"),
                _("starts"),
                _("room"),
                _("first name"),
                _("last name"),
                _("preferred name"),
                _("e-mail"),
                _("phone"),
                _("status"),
                _("ride home"),
                _("ride home phone"),
            ]
        )
        for session in queryset.select_related("room").order_by("starts_at", "pk"):
            starts = timezone.localtime(session.starts_at).strftime("%Y-%m-%d %H:%M %Z")
            for enrollment in session_roster(session=session)["enrolled"]:
                person = enrollment.participant
                profile = getattr(person, "participant_profile", None)
                writer.writerow(
                    [
                        session.title,
                        starts,
                        session.room.name,
                        person.first_name,
                        person.last_name,
                        profile.preferred_name if profile else "",
                        person.email,
                        str(profile.phone) if profile and profile.phone else "",
                        EnrollmentStatus(enrollment.status).label,
                        enrollment.ride_home_name,
                        str(enrollment.ride_home_phone or ""),
                    ]
                )
        return response


@admin.register(Enrollment)
class EnrollmentAdmin(SeatsChangeOnTheRoster, admin.ModelAdmin):
    """Every seat, for search and the record."""

    list_display = ("participant", "session", "status", "late_cancellation", "created_at")
    list_filter = ("status", "late_cancellation", "session__session_type")
    search_fields = ("participant__email", "participant__last_name", "session__title")
    list_select_related = ("participant", "session")


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(SeatsChangeOnTheRoster, admin.ModelAdmin):
    list_display = ("participant", "session", "status", "joined_at", "offer_expires_at")
    list_filter = ("status",)
    search_fields = ("participant__email", "participant__last_name", "session__title")
    list_select_related = ("participant", "session")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """The outbox: what was sent, what waits, what failed (and a retry for those)."""

    list_display = ("kind", "channel", "recipient", "due_at", "status", "attempts", "sent_at")
    list_filter = ("status", "kind", "channel", ("due_at", admin.DateFieldListFilter))
    search_fields = ("recipient__email",)
    date_hierarchy = "due_at"
    list_select_related = ("recipient",)
    actions = ["retry_failed"]
    readonly_fields = [field.name for field in Notification._meta.fields] + ["subject"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.action(description=_("Retry the selected failed messages"))
    def retry_failed(self, request, queryset) -> None:
        count = notifications_retry(ids=queryset.values_list("pk", flat=True))
        self.message_user(
            request, _("%(count)s failed messages will be retried.") % {"count": count}
        )
