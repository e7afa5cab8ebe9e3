"""The staff's cohort pages: the cohorts ahead, making one from a program template, a cohort's
sessions, roster grid and waitlist, publishing it, and a coordinator cancelling one member's seat or
removing a member. Each binds a form and calls one service; state changes are POST only."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cohorts.forms import CohortForm, GroupSizeForm, ReasonForm
from cohorts.models import Cohort, CohortMember
from cohorts.roster import cohort_list_current, cohort_roster_grid
from cohorts.selectors import cohort_waitlist
from cohorts.services import creation, membership
from cohorts.services.creation import CohortNotPlaced
from cohorts.services.group_size import cohort_group_size_set
from participants.access import staff_required
from sessions_app.models import Enrollment, EnrollmentStatus
from sessions_app.services.cancellation import enrollment_cancel
from sessions_app.services.eligibility import EnrollmentRefused


def _posted(request: HttpRequest):
    return request.POST if request.method == "POST" else None


def _cohort_page(cohort: Cohort):
    return redirect("cohorts_staff:cohort_detail", pk=cohort.pk)


@staff_required
def cohort_list(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "cohorts/staff/cohort_list.html",
        {"cohorts": cohort_list_current(now=timezone.now())},
    )


@staff_required
def cohort_create(request: HttpRequest) -> HttpResponse:
    form = CohortForm(_posted(request))
    conflicts, problems = [], []
    if request.method == "POST" and form.is_valid():
        try:
            cohort = creation.cohort_create(**form.create_arguments(), by=request.user)
        except CohortNotPlaced as error:
            conflicts = error.conflicts
            for name, texts in error.errors.items():
                for text in texts:
                    if name in form.fields:
                        form.add_error(name, text)
                    else:
                        problems.append(text)
        else:
            messages.success(request, _("The cohort and its sessions are saved as drafts."))
            return _cohort_page(cohort)
    failed = form.is_bound and (bool(form.errors) or conflicts or problems)
    return render(
        request,
        "cohorts/staff/cohort_form.html",
        {"form": form, "conflicts": conflicts, "problems": problems},
        status=400 if failed else 200,
    )


@staff_required
def cohort_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_object_or_404(Cohort.objects.select_related("template", "room"), pk=pk)
    return render(
        request,
        "cohorts/staff/cohort_detail.html",
        {"cohort": cohort, "grid": cohort_roster_grid(cohort), "waitlist": cohort_waitlist(cohort)},
    )


@staff_required
@require_POST
def cohort_publish(request: HttpRequest, pk: int) -> HttpResponse:
    cohort = get_object_or_404(Cohort, pk=pk)
    try:
        creation.cohort_publish(cohort=cohort, by=request.user)
    except CohortNotPlaced as error:
        for step, texts in error.conflicts:
            messages.error(request, f"{step}: {' '.join(texts)}")
        for texts in error.errors.values():
            for text in texts:
                messages.error(request, text)
    else:
        messages.success(request, _("The cohort is published: participants can join."))
    return _cohort_page(cohort)


@staff_required
def cohort_group_size(request: HttpRequest, pk: int) -> HttpResponse:
    """Change the cohort's capacity and minimum (and its sessions' ahead): lowering below the
    people in the group is refused at the field; places added go to the waitlist."""
    cohort = get_object_or_404(Cohort.objects.select_related("room"), pk=pk)
    initial = {"capacity": cohort.capacity, "min_participants": cohort.min_participants}
    form = GroupSizeForm(_posted(request), initial=initial)
    conflicts = []
    if request.method == "POST" and form.is_valid():
        try:
            cohort_group_size_set(cohort=cohort, by=request.user, **form.cleaned_data)
        except CohortNotPlaced as error:
            conflicts = error.conflicts
            for name, texts in error.errors.items():
                for text in texts:
                    form.add_error(name if name in form.fields else None, text)
        else:
            messages.success(request, _("The group size is saved, for every session ahead."))
            return _cohort_page(cohort)
    failed = form.is_bound and (bool(form.errors) or bool(conflicts))
    return render(
        request,
        "cohorts/staff/size_form.html",
        {"form": form, "cohort": cohort, "conflicts": conflicts},
        status=400 if failed else 200,
    )


def _reason_page(request, form, *, cohort, member, title, seat=None, status=200):
    return render(
        request,
        "cohorts/staff/reason_form.html",
        {"form": form, "cohort": cohort, "member": member, "seat": seat, "title": title},
        status=status,
    )


def _refused(form, error: EnrollmentRefused) -> None:
    for refusal in error.refusals:
        form.add_error("reason" if refusal.code == "reason" else None, refusal.message)


@staff_required
def seat_cancel(request: HttpRequest, pk: int, member_pk: int, seat_pk: int) -> HttpResponse:
    """One session's seat of a member (a missed dosing day): they stay in the cohort."""
    member = get_object_or_404(
        CohortMember.objects.select_related("cohort", "participant"), pk=member_pk, cohort_id=pk
    )
    seat = get_object_or_404(
        Enrollment.objects.select_related("session__session_type", "session__room"),
        pk=seat_pk,
        participant_id=member.participant_id,
        session__cohort_session__cohort_id=pk,
        status=EnrollmentStatus.ENROLLED,
    )
    form = ReasonForm(_posted(request), submit_label=_("Cancel this seat"))
    if request.method == "POST" and form.is_valid():
        try:
            enrollment_cancel(enrollment=seat, by=request.user, reason=form.cleaned_data["reason"])
        except EnrollmentRefused as error:
            _refused(form, error)
        else:
            messages.success(request, _("The seat is cancelled; the member stays in the cohort."))
            return _cohort_page(member.cohort)
    return _reason_page(
        request,
        form,
        cohort=member.cohort,
        member=member,
        seat=seat,
        title=_("Cancel one seat"),
        status=400 if form.is_bound else 200,
    )


@staff_required
def member_remove(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    """Remove a member: their seats ahead are given up, the ones behind kept for the record."""
    member = get_object_or_404(
        CohortMember.objects.select_related("cohort", "participant"),
        pk=member_pk,
        cohort_id=pk,
        left_at__isnull=True,
    )
    form = ReasonForm(_posted(request), submit_label=_("Remove from the cohort"))
    if request.method == "POST" and form.is_valid():
        try:
            membership.cohort_leave(
                member=member, by=request.user, reason=form.cleaned_data["reason"]
            )
        except EnrollmentRefused as error:
            _refused(form, error)
        else:
            messages.success(request, _("The member is removed; their seats ahead are cancelled."))
            return _cohort_page(member.cohort)
    return _reason_page(
        request,
        form,
        cohort=member.cohort,
        member=member,
        title=_("Remove from the cohort"),
        status=400 if form.is_bound else 200,
    )
