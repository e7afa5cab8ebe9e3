"""Django admin for capacity management: session types, rooms, sessions with their enrollments.

Sessions are saved through the scheduling services of the staff pages (``session_create``,
``session_update``, ``session_publish``, ``session_cancel``), which check every rule (room and
staff free, capacity within the room's and not below the seats taken and offered, a monitor for
a published dosing session) under the locks of ``services/locking.py``. The form checks the same
rules first, without locks, for quick feedback only. A refusal under the lock, or a change that
met others' too often (a deadlock, retried three times), rolls back the whole change form and
shows at the form's fields: nothing is half-saved. The seat columns come from the one seat
selector, annotated, not queried per row.
"""

import csv
from functools import partial

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from journease.clinic_language import in_clinic_language
from journease.clinic_time import local

# Session types and rooms (registered on import).
from sessions_app.admin import types_rooms  # noqa: F401
from sessions_app.models import (
    Enrollment,
    EnrollmentStatus,
    GroupSession,
    SessionStatus,
    WaitlistEntry,
)
from sessions_app.selectors import session_roster, with_seat_counts
from sessions_app.services import scheduling
from sessions_app.services.locking import run_retried, try_again_message
from sessions_app.services.scheduling import NON_FIELD, SchedulingError, SessionDetails


class _RefusedUnderLock(Exception):  # noqa: N818 - carried to the form, never shown as is
    """A scheduling service refused the admin's change: the change form's transaction rolls
    back and the form is shown again with these errors at their fields."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__(errors)


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
    """Runs the scheduling rules, so admin cannot double-book or overfill a room either. A blank
    title or minimum takes the session type's, as on the staff pages' form."""

    min_participants = forms.IntegerField(
        label=_("Minimum participants"),
        min_value=0,
        required=False,
        help_text=_("Blank: the session type's minimum."),
    )

    class Meta:
        model = GroupSession
        fields = (
            "session_type",
            "title",
            "title_es",
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

    # Errors found by the services under the lock, on a first attempt (see GroupSessionAdmin).
    refused_under_lock: dict[str, list[str]] = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance._state.adding and "min_participants" not in (kwargs.get("initial") or {}):
            # The model field's 0 is not a choice anyone made: a new session starts blank, and
            # blank takes the type's minimum.
            self.initial["min_participants"] = None

    def details(self) -> SessionDetails:
        cleaned = self.cleaned_data
        return scheduling.session_details_with_defaults(
            session_type=cleaned["session_type"],
            room=cleaned["room"],
            starts_at=cleaned["starts_at"],
            ends_at=cleaned["ends_at"],
            title=cleaned.get("title") or "",
            title_es=cleaned.get("title_es") or "",
            capacity=cleaned["capacity"],
            min_participants=cleaned.get("min_participants"),
            facilitators=cleaned.get("facilitators") or (),
            medical_monitor=cleaned.get("medical_monitor"),
        )

    def _add_errors(self, errors: dict[str, list[str]]) -> None:
        for name, texts in errors.items():
            target = name if name in self.fields else None
            present = self.errors.get(target or NON_FIELD, [])
            for text in texts:
                if text not in present:
                    self.add_error(target, text)

    def clean(self):
        cleaned = super().clean()
        self._add_errors(self.refused_under_lock)
        needed = ("session_type", "room", "starts_at", "ends_at", "capacity")
        if any(cleaned.get(name) in (None, "") for name in needed):
            return cleaned
        # Quick feedback before any lock; the service checks all of it again under the locks.
        self._add_errors(
            scheduling.session_check(
                details=self.details(),
                session=self.instance if self.instance.pk else None,
                publishing=cleaned.get("status") == SessionStatus.PUBLISHED,
            )
        )
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

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """Admin's change form runs in one transaction; it is retried when the database aborts
        it as a deadlock. A refusal under the lock (or a last failed attempt) rolls it all back
        and the form is shown again, bound to what was posted, with the reasons at its fields.
        """
        attempt = partial(super().changeform_view, request, object_id, form_url, extra_context)
        try:
            return run_retried(
                attempt, give_up=lambda: _RefusedUnderLock({NON_FIELD: [try_again_message()]})
            )
        except _RefusedUnderLock as refused:
            request.session_refused_under_lock = refused.errors
            return attempt()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        errors = getattr(request, "session_refused_under_lock", None)
        if errors:
            form = type(form.__name__, (form,), {"refused_under_lock": errors})
        return form

    def save_model(self, request, obj, form, change):
        """Save through the scheduling services, as the staff pages do (``session_save``); a
        refusal under the locks rolls back the whole change form."""
        try:
            session = scheduling.session_save(
                session=obj if change else None,
                details=form.details(),
                status=form.cleaned_data.get("status"),
                by=request.user,
                cancellation_reason=form.cleaned_data.get("cancellation_reason", ""),
            )
        except SchedulingError as error:
            raise _RefusedUnderLock(error.errors) from error
        # What admin logs and redirects to is the row the services saved.
        obj.pk = session.pk
        obj.refresh_from_db()
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        """The services saved the staff; the inlines are read-only (seats change on the roster)."""
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

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
                    "when": local(session.starts_at).strftime("%Y-%m-%d %H:%M"),
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
    @in_clinic_language
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
            starts = local(session.starts_at).strftime("%Y-%m-%d %H:%M %Z")
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
