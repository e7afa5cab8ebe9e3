"""A session's roster for staff: seats, waitlist and attendance; and the printable sign-in sheet.

Contact details and statuses only, nothing clinical: coordinators see everything on these pages.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from participants.access import staff_required
from sessions_app.forms import AttendanceForm
from sessions_app.models import GroupSession, SessionStatus
from sessions_app.selectors import session_get_for_staff, session_roster, sign_in_name
from sessions_app.services import attendance as attendance_service
from sessions_app.services.scheduling import SchedulingError


def _session_or_404(pk: int) -> GroupSession:
    try:
        return session_get_for_staff(session_id=pk)
    except GroupSession.DoesNotExist as exc:
        raise Http404 from exc


def _can_take_attendance(session: GroupSession) -> bool:
    return (
        session.status
        in (
            SessionStatus.PUBLISHED,
            SessionStatus.COMPLETED,
        )
        and session.starts_at <= timezone.now()
    )


@staff_required
def roster(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_or_404(pk)
    people = session_roster(session=session)
    attendance = (
        AttendanceForm(enrollments=people["enrolled"]) if _can_take_attendance(session) else None
    )
    return render(
        request,
        "sessions_app/staff/roster.html",
        {"session": session, "attendance": attendance, **people},
    )


@staff_required
@require_POST
def attendance(request: HttpRequest, pk: int) -> HttpResponse:
    session = _session_or_404(pk)
    people = session_roster(session=session)
    form = AttendanceForm(request.POST, enrollments=people["enrolled"])
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
