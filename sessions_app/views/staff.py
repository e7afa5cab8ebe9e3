"""Staff pages (coordinators, clinicians, admins)."""

import datetime

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from participants.access import staff_required
from sessions_app.selectors import session_list_for_staff

DASHBOARD_DAYS = 14


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The next two weeks of sessions in every status, from the start of today (clinic time)."""
    today = timezone.localdate()
    last = today + datetime.timedelta(days=DASHBOARD_DAYS)
    start, end = (
        timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        for day in (today, last)
    )
    sessions = session_list_for_staff(start=start, end=end)
    return render(
        request,
        "sessions_app/staff/dashboard.html",
        {"sessions": sessions, "days": DASHBOARD_DAYS},
    )
