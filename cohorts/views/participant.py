"""The pages participants and visitors see of a program's cohorts: the open cohorts, a cohort's
page (every meeting, how to prepare, joining with every refusal and its next step, leaving; for
a full program its waitlist: joining it, one's place in line, an offer to accept or decline) and
a member's whole schedule as one ``.ics``.

Group privacy: nothing here reads another member or anyone else in line; the only counts shown
are the places left and one's own place in line. The waitlist's addresses name the cohort, never
an entry: each acts on the signed-in participant's own place.
"""

import datetime

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cohorts.models import Cohort, CohortWaitlistEntry, CohortWaitlistStatus
from cohorts.participant_forms import JoinForm, LeaveForm
from cohorts.selectors import (
    cohort_joining_closes_at,
    cohort_list_open,
    cohort_member_seats,
    cohort_membership,
    cohort_published,
    cohort_sessions,
    cohort_signup_closes_at,
    cohort_waitlist_entry,
    cohort_waitlist_position,
)
from cohorts.services import membership, readiness, waitlist
from journease.reader_language import in_reader_language
from participants.access import is_participant, participant_required
from sessions_app import calendars
from sessions_app.models import GroupSession, SessionStatus
from sessions_app.services.eligibility import EnrollmentRefused, Refusal

# Refusals about what the join form asks: shown at its fields; any other is listed with its
# next step, as on a session's page.
_FORM_CODES = {"ride_home_name", "ride_home_phone", "instructions"}


def cohort_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "cohorts/participant/cohort_list.html",
        {"cohorts": cohort_list_open(now=timezone.now())},
    )


def _published_or_404(pk: int) -> Cohort:
    cohort = cohort_published(pk)
    if cohort is None:
        raise Http404
    return cohort


def _asks_ride_home(sessions: list[GroupSession], now: datetime.datetime) -> bool:
    return any(
        session.session_type.is_dosing
        and session.status == SessionStatus.PUBLISHED
        and session.starts_at > now
        for session in sessions
    )


def _page(
    request: HttpRequest,
    cohort: Cohort,
    *,
    now: datetime.datetime,
    form: JoinForm | None = None,
    refusals: list[Refusal] | None = None,
    leave_form: LeaveForm | None = None,
    accept_form: JoinForm | None = None,
    status: int = 200,
) -> HttpResponse:
    sessions = list(cohort_sessions(cohort))
    types = {session.session_type_id: session.session_type for session in sessions}
    context = {
        "cohort": cohort,
        "sessions": sessions,
        # Each type's instructions, with the meetings they are for (types share neutral names).
        "preparations": [
            (t, [s for s in sessions if s.session_type_id == t.pk])
            for t in types.values()
            if in_reader_language(t, "preparation_instructions")
        ],
        # New sign-ups end at the enrollment close; an offer from the waitlist runs to join-until.
        "closes_at": cohort_signup_closes_at(cohort, sessions),
        "places_left": max(cohort.capacity - cohort.member_count - cohort.offer_count, 0),
        "is_participant": False,
    }
    if is_participant(request.user):
        asks_ride_home = _asks_ride_home(sessions, now)
        member = cohort_membership(cohort=cohort, participant=request.user)
        entry = None if member else cohort_waitlist_entry(cohort=cohort, participant=request.user)
        offer = entry if entry and entry.status == CohortWaitlistStatus.OFFERED else None
        if member is None and refusals is None:
            refusals = membership.cohort_join_refusals(
                cohort=cohort, participant=request.user, now=now
            )
        # "Full" alone: the waitlist, unless its own rules refuse (already in line, closed).
        waitlist_refusals = None
        if member is None and entry is None and [r.code for r in refusals] == ["cohort_full"]:
            waitlist_refusals = waitlist.cohort_waitlist_refusals(
                cohort=cohort, participant=request.user, now=now
            )
        context.update(
            is_participant=True,
            member=member,
            # A seat flagged before a dosing session (a missed preparation, a new consent).
            attention=readiness.member_seats_needing_attention(
                member=member, participant=request.user, now=now
            )
            if member is not None
            else [],
            entry=entry,
            offer=offer,
            position=cohort_waitlist_position(entry) if entry and not offer else None,
            offer_closes_at=cohort_joining_closes_at(cohort, sessions),
            refusals=refusals or [],
            waitlist_refusals=waitlist_refusals,
            form=form or JoinForm(asks_ride_home=asks_ride_home),
            accept_form=accept_form or JoinForm(asks_ride_home=asks_ride_home),
            leave_form=leave_form or LeaveForm(),
        )
    return render(request, "cohorts/participant/cohort_detail.html", context, status=status)


def cohort_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A published cohort: every meeting with what it is for, how to prepare, the places left
    and when joining closes; for a participant, joining (or every reason not, with its next
    step) or, for a member, leaving."""
    return _page(request, _published_or_404(pk), now=timezone.now())


@participant_required
@require_POST
def cohort_join(request: HttpRequest, pk: int) -> HttpResponse:
    now = timezone.now()
    cohort = _published_or_404(pk)
    sessions = list(cohort_sessions(cohort))
    form = JoinForm(request.POST, asks_ride_home=_asks_ride_home(sessions, now))
    if not form.is_valid():
        return _page(request, cohort, now=now, form=form, status=400)
    try:
        membership.cohort_enroll(
            cohort=cohort, participant=request.user, now=now, **form.service_kwargs()
        )
    except EnrollmentRefused as error:
        for refusal in error.refusals:
            if refusal.code in _FORM_CODES:
                form.add_refusals(EnrollmentRefused(refusal))
        others = [r for r in error.refusals if r.code not in _FORM_CODES]
        return _page(request, cohort, now=now, form=form, refusals=others, status=400)
    messages.success(
        request, _("You are in this group. A welcome with the whole schedule is on its way.")
    )
    return redirect("cohorts:cohort_detail", pk=cohort.pk)


@participant_required
@require_POST
def cohort_leave(request: HttpRequest, pk: int) -> HttpResponse:
    now = timezone.now()
    cohort = _published_or_404(pk)
    member = cohort_membership(cohort=cohort, participant=request.user)
    if member is None:
        raise Http404
    form = LeaveForm(request.POST)
    if not form.is_valid():
        return _page(request, cohort, now=now, leave_form=form, status=400)
    try:
        membership.cohort_leave(member=member, by=request.user, now=now)
    except EnrollmentRefused as error:
        for refusal in error.refusals:
            messages.error(request, refusal.message)
        return redirect("cohorts:cohort_detail", pk=cohort.pk)
    messages.success(
        request, _("You left the group; your places in the meetings ahead are given up.")
    )
    return redirect("sessions_app:my_sessions")


def _refused_messages(request: HttpRequest, error: EnrollmentRefused) -> None:
    for refusal in error.refusals:
        messages.error(request, refusal.message)


def _own_entry(request: HttpRequest, cohort: Cohort) -> CohortWaitlistEntry:
    entry = cohort_waitlist_entry(cohort=cohort, participant=request.user)
    if entry is None:
        raise Http404
    return entry


@participant_required
@require_POST
def waitlist_join(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = _published_or_404(pk)
    try:
        waitlist.cohort_waitlist_join(cohort=cohort, participant=request.user)
    except EnrollmentRefused as error:
        _refused_messages(request, error)
    else:
        messages.success(
            request, _("You are on the waitlist. We will offer you a place if one frees up.")
        )
    return redirect("cohorts:cohort_detail", pk=cohort.pk)


@participant_required
@require_POST
def waitlist_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """Take the place an offer holds: joining the group, the ride home asked as when joining."""
    now = timezone.now()
    cohort = _published_or_404(pk)
    entry = _own_entry(request, cohort)
    sessions = list(cohort_sessions(cohort))
    form = JoinForm(request.POST, asks_ride_home=_asks_ride_home(sessions, now))
    if not form.is_valid():
        return _page(request, cohort, now=now, accept_form=form, status=400)
    try:
        waitlist.cohort_waitlist_accept(entry=entry, now=now, **form.service_kwargs())
    except EnrollmentRefused as error:
        if "offer_expired" in error.codes:
            _refused_messages(request, error)
            return redirect("cohorts:cohort_detail", pk=cohort.pk)
        for refusal in error.refusals:
            if refusal.code in _FORM_CODES:
                form.add_refusals(EnrollmentRefused(refusal))
        others = [r for r in error.refusals if r.code not in _FORM_CODES]
        for refusal in others:
            messages.error(request, refusal.message)
        return _page(request, cohort, now=now, accept_form=form, status=400)
    messages.success(
        request, _("You are in this group. A welcome with the whole schedule is on its way.")
    )
    return redirect("cohorts:cohort_detail", pk=cohort.pk)


@participant_required
@require_POST
def waitlist_decline(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = _published_or_404(pk)
    entry = _own_entry(request, cohort)
    try:
        waitlist.cohort_waitlist_decline(entry=entry)
    except EnrollmentRefused as error:  # many changes at once: "please try again"
        _refused_messages(request, error)
    else:
        messages.success(request, _("You declined the place; it goes to the next person waiting."))
    return redirect("cohorts:cohort_detail", pk=cohort.pk)


@participant_required
@require_POST
def waitlist_leave(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = _published_or_404(pk)
    entry = _own_entry(request, cohort)
    try:
        waitlist.cohort_waitlist_leave(entry=entry)
    except EnrollmentRefused as error:
        _refused_messages(request, error)
    else:
        messages.success(request, _("You left the waitlist."))
    return redirect("cohorts:cohort_detail", pk=cohort.pk)


@participant_required
def cohort_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """The member's own seats in the cohort as one calendar file; someone without a seat in it
    gets a 404, as for another person's seat."""
    cohort = _published_or_404(pk)
    seats = list(cohort_member_seats(cohort=cohort, participant=request.user))
    if not seats:
        raise Http404
    response = HttpResponse(
        calendars.enrollments_ics(enrollments=seats), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="program-{cohort.pk}.ics"'
    return response
