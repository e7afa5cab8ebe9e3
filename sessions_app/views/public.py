"""Pages anyone may open: the upcoming sessions."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from sessions_app.models import SessionType
from sessions_app.selectors import session_list_upcoming


def session_list(request: HttpRequest) -> HttpResponse:
    session_types = SessionType.objects.filter(is_active=True).order_by("name")
    selected = request.GET.get("type", "")
    type_id = int(selected) if selected.isdigit() else None
    sessions = session_list_upcoming(session_type_id=type_id)
    return render(
        request,
        "sessions_app/session_list.html",
        {"sessions": sessions, "session_types": session_types, "selected_type": type_id},
    )
