"""A session's roster for staff: seats, waitlist and attendance; and the printable sign-in sheet.

Contact details and statuses only, nothing clinical: coordinators see everything on these pages.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from journease.hostile import query_text
from participants.access import staff_required
from sessions_app.enrollment_forms import StaffCancelForm, StaffEnrollForm, StaffMoveForm
from sessions_app.forms import AttendanceForm
from sessions_app.models import GroupSession, SessionStatus
from sessions_app.selectors import session_get_for_staff, session_roster, sign_in_name
from sessions_app.services import attendance as attendance_service
from sessions_app.services import enrollment as enrollment_service
from sessions_app.services.eligibility import EnrollmentRefused
from sessions_app.services.scheduling import SchedulingError

# A roster search names a person: longer text is cut, a NUL byte is a 400 (journease.hostile).
SEARCH_MAX_LENGTH = 100


def _session_or_404(pk: int) -> GroupSession:
    try:
        return session_get_for_staff(session_id=pk)
    except GroupSession.DoesNotExist as exc:
        raise Http404 from exc


@staff_required
def roster(request: HttpRequest, pk: int) -> HttpResponse:
    return _roster_page(request, _session_or_404(pk))


@staff_required
@require_POST
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_or_404(pk)
    people = session_roster(session=session)
    form = AttendanceForm(
        request.POST, enrollments=people["enrolled"], dosing=session.session_type.is_dosing
    )
    if form.is_valid():
        try:
            attendance_service.attendance_record(
                session=session, marks=form.marks(), by=request.user
            )
        except SchedulingError as error:
            for texts in error.errors.values():
                for text in texts:
                    messages.error(request, text)
        else:
            messages.success(request, _("Attendance is saved."))
    else:
        messages.error(request, _("Choose attended or no-show for each person."))
    return redirect("sessions_app:staff_session_roster", pk=session.pk)


@staff_required
def sign_in_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """For the room: preferred name and last initial only (group privacy), and a line to sign."""
    session = _session_or_404(pk)
    people = session_roster(session=session)
    return render(
        request,
        "sessions_app/staff/sign_in_sheet.html",
        {
            "session": session,
            "names": sorted(sign_in_name(e.participant) for e in people["enrolled"]),
        },
    )


def _roster_page(request, session, **forms) -> HttpResponse:
    people = session_roster(session=session)
    now = timezone.now()
    # The service's own answer: the page offers the form exactly when saving it may succeed.
    attendance_closed = attendance_service.attendance_refusal(session, now)
    attendance = (
        None
        if attendance_closed
        else AttendanceForm(enrollments=people["enrolled"], dosing=session.session_type.is_dosing)
    )
    return render(
        request,
        "sessions_app/staff/roster.html",
        {
            "session": session,
            "attendance": attendance,
            "attendance_closed": attendance_closed,
            "enroll_form": forms.get("enroll_form")
            or StaffEnrollForm(
                search=query_text(request, "q", max_length=SEARCH_MAX_LENGTH).strip(),
                session=session,
            ),
            "cancel_form": forms.get("cancel_form") or StaffCancelForm(session=session),
            "move_form": forms.get("move_form") or StaffMoveForm(session=session, now=now),
            "search": query_text(request, "q", max_length=SEARCH_MAX_LENGTH),
            "seat_actions": session.status == SessionStatus.PUBLISHED and session.starts_at > now,
            **people,
        },
    )


@staff_required
@require_POST
def staff_enroll(request: HttpRequest, pk: int) -> HttpResponse:
    """A coordinator enrolls someone, with a reason, through the participant's own rules."""
    session = _session_or_404(pk)
    form = StaffEnrollForm(
        request.POST,
        search=query_text(request, "q", max_length=SEARCH_MAX_LENGTH).strip(),
        session=session,
    )
    if form.is_valid():
        try:
            enrollment_service.enrollment_create(
                participant=form.cleaned_data["participant"],
                session=session,
                by=request.user,
                reason=form.cleaned_data["reason"],
                **form.service_kwargs(),
            )
        except EnrollmentRefused as error:
            form.add_refusals(error)
        else:
            messages.success(request, _("Enrolled."))
            return redirect("sessions_app:staff_session_roster", pk=session.pk)
    return _roster_page(request, session, enroll_form=form)


@staff_required
@require_POST
def staff_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """A coordinator cancels someone's seat with a reason; the seat is offered on."""
    session = _session_or_404(pk)
    form = StaffCancelForm(request.POST, session=session)
    if form.is_valid():
        try:
            enrollment_service.enrollment_cancel(
                enrollment=form.cleaned_data["enrollment"],
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except EnrollmentRefused as error:
            form.add_refusals(error)
        else:
            messages.success(request, _("The seat is cancelled; the participant is told."))
            return redirect("sessions_app:staff_session_roster", pk=session.pk)
    return _roster_page(request, session, cancel_form=form)


@staff_required
@require_POST
def staff_move(request: HttpRequest, pk: int) -> HttpResponse:
    """A coordinator moves someone to another session, with a reason, through the same rules."""
    session = _session_or_404(pk)
    form = StaffMoveForm(request.POST, session=session, now=timezone.now())
    if form.is_valid():
        try:
            moved = enrollment_service.enrollment_move(
                enrollment=form.cleaned_data["enrollment"],
                to_session=form.cleaned_data["to_session"],
                by=request.user,
                reason=form.cleaned_data["reason"],
            )
        except EnrollmentRefused as error:
            form.add_refusals(error)
        else:
            messages.success(request, _("Moved."))
            return redirect("sessions_app:staff_session_roster", pk=moved.session_id)
    return _roster_page(request, session, move_form=form)
