"""The outbox in Django admin: read-only rows, and a retry for failed ones."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from outbox.models import Notification
from outbox.services.planning import notifications_retry


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
