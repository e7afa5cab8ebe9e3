"""Failed messages, for admins: the list, and sending them again (one, or all)."""

from django.contrib import messages
from django.contrib.auth.models import Group
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from outbox.selectors import failed_message_list
from participants.access import admin_required
from participants.models import Role
from participants.services import failed_messages


@admin_required
def failed_list(request: HttpRequest) -> HttpResponse:
    role_groups = Group.objects.filter(name__in=Role.values)
    rows = list(
        failed_message_list().prefetch_related(
            Prefetch("recipient__groups", queryset=role_groups, to_attr="role_groups")
        )
    )
    for row in rows:
        row.recipient_roles = sorted(Role(group.name).label for group in row.recipient.role_groups)
    return render(request, "participants/failed_messages.html", {"rows": rows})


@admin_required
@require_POST
def failed_retry(request: HttpRequest) -> HttpResponse:
    if request.POST.get("all") == "1":
        count = failed_messages.failed_messages_retry()
    else:
        ids = [
            int(value)
            for value in request.POST.getlist("id")
            if value.isascii() and value.isdigit()
        ]
        count = failed_messages.failed_messages_retry(ids=ids[:1000])
    messages.success(
        request,
        ngettext(
            "%(count)d message will be sent again.",
            "%(count)d messages will be sent again.",
            count,
        )
        % {"count": count}
        if count
        else _("No failed message to send again."),
    )
    return redirect("participants:staff_failed_messages")
