"""Staff pages that change sessions: create, weekly series, edit, publish, cancel, reschedule,
duplicate. Each binds a form, calls one scheduling service and shows its errors at their fields.
State changes are POST only.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from journease.clinic_time import local
from participants.access import staff_required
from sessions_app import forms
from sessions_app.models import GroupSession
from sessions_app.services import scheduling
from sessions_app.services.scheduling import SchedulingError


def _posted(request: HttpRequest):
    """The posted data on a POST (an empty one too, so that it shows what is missing)."""
    return request.POST if request.method == "POST" else None


def _roster(session: GroupSession):
    return redirect("sessions_app:staff_session_roster", pk=session.pk)


def _form_page(request, form, *, title: str, session=None, intro: str = "", status: int = 200):
    return render(
        request,
        "sessions_app/staff/session_form.html",
        {"form": form, "title": title, "session": session, "intro": intro},
        status=status,
    )


def _status_for(form) -> int:
    return 400 if form.is_bound else 200


@staff_required
def session_create(request: HttpRequest) -> HttpResponse:
    form = forms.SessionForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            session = scheduling.session_create(
                details=form.details(),
                created_by=request.user,
                publish=form.cleaned_data.get("publish", False),
            )
        except SchedulingError as error:
            form.add_scheduling_errors(error)
        else:
            messages.success(request, _("The session is saved."))
            return _roster(session)
    return _form_page(request, form, title=_("New session"), status=_status_for(form))


@staff_required
def series_create(request: HttpRequest) -> HttpResponse:
    form = forms.SeriesForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        details = form.details()
        try:
            result = scheduling.session_series_create(
                details=details,
                weeks=form.cleaned_data["weeks"],
                created_by=request.user,
                publish=form.cleaned_data.get("publish", False),
            )
        except SchedulingError as error:
            form.add_scheduling_errors(error)
        else:
            return render(
                request,
                "sessions_app/staff/series_done.html",
                {
                    # What was asked for, named even when every date was skipped.
                    "details": details,
                    "published": form.cleaned_data.get("publish", False),
                    "created": result.created,
                    "skipped": result.skipped,
                },
            )
    return _form_page(
        request,
        form,
        title=_("New weekly series"),
        intro=_(
            "One session a week on the same weekday and local time. Dates on which the room or "
            "a staff member is already booked, or on which that time does not exist or happens "
            "twice (a daylight-saving change), are skipped and listed afterwards."
        ),
        status=_status_for(form),
    )


@staff_required
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(GroupSession.objects.prefetch_related("facilitators"), pk=pk)
    form = forms.SessionForm(
        _posted(request), initial=forms.SessionForm.initial_for(session), show_publish=False
    )
    if request.method == "POST" and form.is_valid():
        try:
            scheduling.session_update(session=session, details=form.details(), by=request.user)
        except SchedulingError as error:
            form.add_scheduling_errors(error)
        else:
            messages.success(request, _("The session is saved."))
            return _roster(session)
    return _form_page(
        request,
        form,
        title=_("Edit session"),
        session=session,
        intro=_("Changing the date, time or room tells everyone holding a seat."),
        status=_status_for(form),
    )


@staff_required
@require_POST
def session_publish(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(GroupSession, pk=pk)
    try:
        scheduling.session_publish(session=session, by=request.user)
    except SchedulingError as error:
        for message in error.errors.values():
            for text in message:
                messages.error(request, text)
    else:
        messages.success(request, _("The session is published: participants can enroll."))
    return _roster(session)


@staff_required
def session_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(GroupSession, pk=pk)
    form = forms.CancelForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            scheduling.session_cancel(
                session=session, reason=form.cleaned_data["reason"], by=request.user
            )
        except SchedulingError as error:
            form.add_scheduling_errors(error)
        else:
            messages.success(request, _("The session is cancelled."))
            return _roster(session)
    return _form_page(
        request,
        form,
        title=_("Cancel session"),
        session=session,
        intro=_("Everyone holding a seat or an offer is told. This cannot be undone."),
        status=_status_for(form),
    )


@staff_required
def session_reschedule(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(GroupSession, pk=pk)
    form = forms.RescheduleForm(_posted(request), initial=forms.RescheduleForm.initial_for(session))
    if request.method == "POST" and form.is_valid():
        starts_at, ends_at = form.times()
        try:
            scheduling.session_reschedule(
                session=session,
                starts_at=starts_at,
                ends_at=ends_at,
                room=form.cleaned_data["room"],
                by=request.user,
            )
        except SchedulingError as error:
            form.add_scheduling_errors(error)
        else:
            messages.success(request, _("The session is moved; seats are kept."))
            return _roster(session)
    return _form_page(
        request,
        form,
        title=_("Move session"),
        session=session,
        intro=_("Seats are kept and everyone holding one is told."),
        status=_status_for(form),
    )


@staff_required
def session_duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_object_or_404(GroupSession.objects.prefetch_related("facilitators"), pk=pk)
    form = forms.DuplicateForm(_posted(request), initial=forms.DuplicateForm.initial_for(session))
    if request.method == "POST" and form.is_valid():
        try:
            copy = scheduling.session_duplicate(
                session=session, starts_at=form.starts_at, by=request.user
            )
        except SchedulingError as error:
            form.add_scheduling_errors(error)
        else:
            messages.success(
                request,
                _("A draft copy is saved for %(when)s.")
                % {"when": formats.date_format(local(copy.starts_at), "D j M Y")},
            )
            return _roster(copy)
    return _form_page(
        request,
        form,
        title=_("Duplicate session"),
        session=session,
        intro=_("Same type, title, room, capacity, staff and length; saved as a draft."),
        status=_status_for(form),
    )
