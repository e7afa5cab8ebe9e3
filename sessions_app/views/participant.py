"""The participant's own seats: enroll, join the waitlist, answer an offer, cancel, My sessions
and calendars. Every lookup filters on ``request.user``: someone else's id is a 404.
"""

import datetime

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from journease.clinic_time import local
from participants.access import participant_required
from participants.language import language_of
from sessions_app import calendars
from sessions_app.enrollment_forms import EnrollForm, ParticipantCancelForm
from sessions_app.models import (
    Enrollment,
    EnrollmentStatus,
    GroupSession,
    SessionStatus,
    WaitlistEntry,
    WaitlistStatus,
)
from sessions_app.selectors import participant_sessions, past_seats_page, with_seat_counts
from sessions_app.services import enrollment as enrollment_service
from sessions_app.services import waitlist as waitlist_service
from sessions_app.services.cancellation import cancellation_is_late
from sessions_app.services.eligibility import EnrollmentRefused, enrollment_closes_at


def _published(pk: int) -> GroupSession:
    return get_object_or_404(
        GroupSession.objects.select_related("session_type", "room"),
        pk=pk,
        status=SessionStatus.PUBLISHED,
    )


def _refused(request: HttpRequest, error: EnrollmentRefused) -> None:
    for refusal in error.refusals:
        messages.error(request, refusal.message)


def _form_page(request, session, form, entry=None) -> HttpResponse:
    session = (
        with_seat_counts(GroupSession.objects.filter(pk=session.pk))
        .select_related("session_type", "room")
        .get()
    )
    return render(
        request,
        "sessions_app/session_detail.html",
        {
            "session": session,
            "closes_at": enrollment_closes_at(session),
            "full": session.is_full,
            "is_participant": True,
            "refusals": [],
            "entry": entry,
            "form": form,
        },
    )


@participant_required
@require_POST
def enroll(request: HttpRequest, pk: int) -> HttpResponse:
    session = _published(pk)
    form = EnrollForm(request.POST, session=session)
    if not form.is_valid():
        return _form_page(request, session, form)
    try:
        enrollment_service.enrollment_create(
            participant=request.user, session=session, **form.service_kwargs()
        )
    except EnrollmentRefused as error:
        if error.offers_waitlist:
            messages.info(request, error.refusals[0].message)
            return redirect("sessions_app:session_detail", pk=session.pk)
        form.add_refusals(error)
        return _form_page(request, session, form)
    messages.success(request, _("You are enrolled. A confirmation is on its way."))
    return redirect("sessions_app:my_sessions")


@participant_required
@require_POST
def waitlist_join(request: HttpRequest, pk: int) -> HttpResponse:
    session = _published(pk)
    try:
        waitlist_service.waitlist_join(participant=request.user, session=session)
    except EnrollmentRefused as error:
        _refused(request, error)
        return redirect("sessions_app:session_detail", pk=session.pk)
    messages.success(
        request, _("You are on the waitlist. We will offer you a seat if one frees up.")
    )
    return redirect("sessions_app:my_sessions")


def _own_entry(request: HttpRequest, pk: int) -> WaitlistEntry:
    return get_object_or_404(
        WaitlistEntry.objects.select_related("session__session_type", "session__room"),
        pk=pk,
        participant=request.user,
    )


@participant_required
@require_POST
def offer_accept(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _own_entry(request, pk)
    form = EnrollForm(request.POST, session=entry.session)
    if not form.is_valid():
        return _form_page(request, entry.session, form, entry)
    try:
        waitlist_service.waitlist_accept(entry=entry, **form.service_kwargs())
    except EnrollmentRefused as error:
        if "offer_expired" in error.codes:
            _refused(request, error)
            return redirect("sessions_app:my_sessions")
        form.add_refusals(error)
        return _form_page(request, entry.session, form, entry)
    messages.success(request, _("The seat is yours. A confirmation is on its way."))
    return redirect("sessions_app:my_sessions")


@participant_required
@require_POST
def offer_decline(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _own_entry(request, pk)
    try:
        if entry.status == WaitlistStatus.OFFERED:
            waitlist_service.waitlist_decline(entry=entry)
            message = _("You declined the seat; it goes to the next person waiting.")
        else:
            waitlist_service.waitlist_leave(entry=entry)
            message = _("You left the waitlist.")
    except EnrollmentRefused as error:  # many changes at once: "please try again"
        _refused(request, error)
    else:
        messages.success(request, message)
    return redirect("sessions_app:my_sessions")


@participant_required
@require_POST
def enrollment_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = get_object_or_404(
        Enrollment.objects.select_related("session__session_type"),
        pk=pk,
        participant=request.user,
    )
    form = ParticipantCancelForm(request.POST)
    if not form.is_valid():
        # Nothing is cancelled: the page says why (a NUL byte, a reason over 500 characters).
        for texts in form.errors.values():
            for text in texts:
                messages.error(request, _("Your seat is not cancelled: %(why)s") % {"why": text})
        return _my_sessions_page(request, status=400)
    try:
        enrollment_service.enrollment_cancel(
            enrollment=enrollment, by=request.user, reason=form.cleaned_data["reason"]
        )
    except EnrollmentRefused as error:
        _refused(request, error)
    else:
        messages.success(request, _("Your seat is cancelled."))
    return redirect("sessions_app:my_sessions")


@participant_required
def my_sessions(request: HttpRequest) -> HttpResponse:
    return _my_sessions_page(request)


def _seat_shown(seat: Enrollment, now: datetime.datetime, labels: dict) -> dict:
    """What My sessions shows of an upcoming seat, written here once rather than per row in the
    template (a year of history makes the page a long one)."""
    session = seat.session
    cancelled = session.status == SessionStatus.CANCELLED
    starts = date_format(local(session.starts_at), _("l j F Y, g:i A"))
    shown = {
        "title": session.reader_title,
        "session_url": reverse("sessions_app:session_detail", args=[session.pk]),
        "when": f"{starts}–{date_format(local(session.ends_at), 'g:i A T')} · {session.room.name}",
        "badge": "session-cancelled" if cancelled else seat.status,
        "label": _("Session cancelled") if cancelled else labels[seat.status],
        "late_cancellation": seat.late_cancellation,
        "ics_url": reverse("sessions_app:enrollment_ics", args=[seat.pk]),
        "cancel_url": None,
    }
    if seat.status == EnrollmentStatus.ENROLLED and session.status == SessionStatus.PUBLISHED:
        hours = session.session_type.cancellation_cutoff_hours
        note = (
            ngettext(
                "It is less than %(hours)s hour before the start: this will be recorded as a "
                "late cancellation.",
                "It is less than %(hours)s hours before the start: this will be recorded as a "
                "late cancellation.",
                hours,
            )
            if cancellation_is_late(seat, now)
            else ngettext(
                "Free to cancel until %(hours)s hour before the start.",
                "Free to cancel until %(hours)s hours before the start.",
                hours,
            )
        )
        shown["cancel_note"] = note % {"hours": hours}
        shown["cancel_url"] = reverse("sessions_app:enrollment_cancel", args=[seat.pk])
    return shown


def _my_sessions_page(request: HttpRequest, *, status: int = 200) -> HttpResponse:
    now = timezone.now()
    data = participant_sessions(participant=request.user, now=now)
    labels = dict(EnrollmentStatus.choices)
    for group in data["upcoming_groups"]:
        group["seats"] = [_seat_shown(seat, now, labels) for seat in group["enrollments"]]
    data |= past_seats_page(participant=request.user, now=now, page=request.GET.get("past", 1))
    day = _("j F Y")
    data["past_lines"] = [
        f"{date_format(local(seat.session.starts_at), day)} · {seat.session.reader_title} · "
        f"{labels[seat.status]}"
        for seat in data["past"]
    ]
    feed = calendars.calendar_feed_for(participant=request.user)
    feed_url = request.build_absolute_uri(
        reverse("sessions_app:calendar_feed", kwargs={"token": feed.token})
    )
    return render(
        request,
        "sessions_app/my_sessions.html",
        {**data, "feed_url": feed_url, "now": now},
        status=status,
    )


@participant_required
def enrollment_ics(request: HttpRequest, pk: int) -> HttpResponse:
    enrollment = get_object_or_404(
        Enrollment.objects.select_related("session__session_type", "session__room"),
        pk=pk,
        participant=request.user,
    )
    response = HttpResponse(
        calendars.enrollment_ics(enrollment=enrollment), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="session-{enrollment.pk}.ics"'
    return response


@participant_required
@require_POST
def calendar_regenerate(request: HttpRequest) -> HttpResponse:
    calendars.calendar_feed_regenerate(participant=request.user)
    messages.success(request, _("Your calendar address is new; the old one no longer works."))
    return redirect("sessions_app:my_sessions")


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private feed: the token is the key, so a revoked or unknown one is a 404."""
    participant = calendars.calendar_feed_owner(token=token)
    if participant is None:
        raise Http404
    # Fetched by a calendar app, with no session and its own Accept-Language: the entries are
    # written in the owner's language, as their pages and messages are.
    language = language_of(participant)
    with translation.override(language):
        body = calendars.feed_ics(participant=participant)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Language"] = language
    return response
