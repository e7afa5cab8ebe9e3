from django.contrib import admin

from sessions_app.models import GroupSession, Room, SessionType


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
