"""Pages anyone may open: the upcoming sessions and each session's page.

A signed-in participant also sees, on a session's page, whether they may enroll and every reason
they may not, with the next step (``enrollment_eligibility``): before they try.
"""

import datetime

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from journease.clinic_time import clinic_today
from journease.hostile import parse_id
from participants.access import is_participant
from sessions_app.enrollment_forms import EnrollForm
from sessions_app.models import SessionType
from sessions_app.selectors import (
    published_session_with_seats,
    schedule_version,
    session_list_upcoming,
    waitlist_entry_active,
)
from sessions_app.services.eligibility import enrollment_closes_at, enrollment_eligibility


def _months(now: datetime.datetime, count: int = 6) -> list[datetime.date]:
    first = clinic_today(now).replace(day=1)
    months = [first]
    for _ in range(count - 1):
        months.append((months[-1] + datetime.timedelta(days=32)).replace(day=1))
    return months


def _selected_type_ids(request: HttpRequest) -> tuple[int, ...]:
    """``?type=`` given once, several times, or as ids joined by commas (the page's own choice
    of several types): every id is kept; anything else is ignored."""
    ids = {parse_id(part) for value in request.GET.getlist("type") for part in value.split(",")}
    return tuple(sorted(ids - {None}))


def session_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    type_ids = _selected_type_ids(request)
    months = _months(now)
    month = next((m for m in months if m.strftime("%Y-%m") == request.GET.get("month")), None)
    return render(
        request,
        "sessions_app/session_list.html",
        {
            # Built only when the cached list is missing: building the annotated query alone
            # costs about as much as the rest of the page.
            "sessions": SimpleLazyObject(
                lambda: session_list_upcoming(session_type_ids=type_ids, month=month, now=now)
            ),
            "session_types": SimpleLazyObject(
                lambda: SessionType.objects.filter(is_active=True).order_by("name")
            ),
            "selected_types": type_ids,
            "selected_type_list": SimpleLazyObject(
                lambda: list(SessionType.objects.filter(pk__in=type_ids).order_by("name"))
            ),
            "type_key": ",".join(str(pk) for pk in type_ids),
            "months": months,
            "selected_month": month,
            # The list is rendered once per version and filter, then served from the cache.
            "schedule_version": schedule_version(now=now),
        },
    )


def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A published session: preparation instructions, seats, and for a participant their
    eligibility with next steps, and the enroll, join-waitlist or accept-offer form."""
    now = timezone.now()
    session = published_session_with_seats(pk)
    if session is None:
        raise Http404
    context = {
        "session": session,
        "closes_at": enrollment_closes_at(session),
        "full": session.is_full,
        "is_participant": False,
    }
    if is_participant(request.user):
        context.update(
            is_participant=True,
            refusals=enrollment_eligibility(participant=request.user, session=session, now=now),
            entry=waitlist_entry_active(participant=request.user, session=session),
            form=EnrollForm(session=session),
        )
    return render(request, "sessions_app/session_detail.html", context)
