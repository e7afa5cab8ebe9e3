"""Staff pages (coordinators, clinicians, admins): the calendar and the list of sessions.

Both are server-side HTML; every date is the clinic's local date and every time is shown in the
clinic's zone, with the zone named.
"""

import datetime
from collections import defaultdict
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject

from journease.clinic_time import clinic_day_start, clinic_today, local
from journease.hostile import query_date
from participants.access import staff_required
from sessions_app.forms import SessionFilterForm
from sessions_app.selectors import schedule_version, session_list_for_staff

LIST_DAYS = 28
LIST_PAGE_SIZE = 50
FILTER_NAMES = ("session_type", "room", "staff", "status")


def _filter_query(request: HttpRequest) -> str:
    """The active filters as a query string, kept by the calendar's navigation links."""
    return urlencode({name: request.GET[name] for name in FILTER_NAMES if request.GET.get(name)})


def _by_local_day(sessions) -> dict[datetime.date, list]:
    days = defaultdict(list)
    for session in sessions:
        days[local(session.starts_at).date()].append(session)
    return days


@staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    """The calendar: a week (default) or a month of sessions in every status, filterable."""
    today = clinic_today()
    view = "month" if request.GET.get("view") == "month" else "week"
    anchor = query_date(request, "date", today)
    if view == "week":
        first = anchor - datetime.timedelta(days=anchor.weekday())
        last = first + datetime.timedelta(days=6)
        previous, following = (
            first - datetime.timedelta(weeks=1),
            first + datetime.timedelta(weeks=1),
        )
        month_start = None
    else:
        month_start = anchor.replace(day=1)
        next_month = (month_start + datetime.timedelta(days=32)).replace(day=1)
        first = month_start - datetime.timedelta(days=month_start.weekday())
        month_end = next_month - datetime.timedelta(days=1)
        last = month_end + datetime.timedelta(days=6 - month_end.weekday())
        previous = (month_start - datetime.timedelta(days=1)).replace(day=1)
        following = next_month

    filter_form = SessionFilterForm(
        request.GET or None, hidden={"view": view, "date": anchor.isoformat()}
    )
    filter_query = _filter_query(request)

    def read_sessions() -> list:
        return list(
            session_list_for_staff(
                start=clinic_day_start(first),
                end=clinic_day_start(last + datetime.timedelta(days=1)),
                **filter_form.filters(),
            )
        )

    sessions = SimpleLazyObject(read_sessions)
    return render(
        request,
        "sessions_app/staff/calendar.html",
        {
            "view": view,
            # Read and laid out only when the cached weeks are missing: the sessions, their seats
            # and the filter's choices are not per person nor clinical, and every change to them
            # raises the schedule's version (``schedule_version``), under which the weeks and the
            # filter are rendered once for every member of staff.
            "sessions": sessions,
            "weeks": SimpleLazyObject(
                lambda: _weeks(first, last, today=today, month_start=month_start, sessions=sessions)
            ),
            "schedule_version": schedule_version(),
            "anchor": anchor,  # the filter form keeps it
            "first": first,
            "last": last,
            "month_start": month_start,
            "previous": previous,
            "following": following,
            "today": today,
            "filter_form": filter_form,
            "filter_query": filter_query,
            # What the filter form shows: every submitted value, valid or not (an invalid one is
            # shown with its error), so that two requests sharing the cached weeks drew the same.
            "filter_shown": urlencode(
                [(name, request.GET.get(name, "")) for name in FILTER_NAMES if name in request.GET]
            ),
        },
    )


def _weeks(
    first: datetime.date,
    last: datetime.date,
    *,
    today: datetime.date,
    month_start: datetime.date | None,
    sessions,
) -> list[list[dict]]:
    """The calendar's days from ``first`` to ``last`` in rows of seven, each with its sessions."""
    by_day = _by_local_day(sessions)
    days = []
    day = first
    while day <= last:
        days.append(
            {
                "date": day,
                "sessions": by_day.get(day, []),
                "is_today": day == today,
                "outside": month_start is not None and day.month != month_start.month,
            }
        )
        day += datetime.timedelta(days=1)
    return [days[i : i + 7] for i in range(0, len(days), 7)]


@staff_required
def session_list(request: HttpRequest) -> HttpResponse:
    """Every session from a date (today by default) for four weeks, as a table, 50 to a page."""
    today = clinic_today()
    first = query_date(request, "date", today)
    last = first + datetime.timedelta(days=LIST_DAYS)
    filter_form = SessionFilterForm(request.GET or None, hidden={"date": first.isoformat()})
    queryset = session_list_for_staff(
        start=clinic_day_start(first), end=clinic_day_start(last), **filter_form.filters()
    )
    page = Paginator(queryset, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "sessions_app/staff/session_list.html",
        {
            "page": page,
            "sessions": page.object_list,
            "first": first,
            "last": last - datetime.timedelta(days=1),
            "previous": first - datetime.timedelta(days=LIST_DAYS),
            "following": last,
            "filter_form": filter_form,
            "filter_query": _filter_query(request),
        },
    )
