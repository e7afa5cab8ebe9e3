from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from sessions_app.models import GroupSession, Notification, Room, SessionType
from sessions_app.services.notifications import notifications_retry


@admin.register(SessionType)
class SessionTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "duration_minutes", "default_capacity", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name",)


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ("name", "capacity", "location", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "location")


@admin.register(GroupSession)
class GroupSessionAdmin(admin.ModelAdmin):
    list_display = ("title", "session_type", "starts_at", "room", "capacity", "status")
    list_filter = ("status", "session_type", "room", ("starts_at", admin.DateFieldListFilter))
    search_fields = ("title",)
    date_hierarchy = "starts_at"
    list_select_related = ("session_type", "room")
    autocomplete_fields = ("facilitators", "medical_monitor")
    readonly_fields = ("created_by", "created_at", "updated_at")


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
