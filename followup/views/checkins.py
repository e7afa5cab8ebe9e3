"""The participant's integration check-ins and progress page.

A participant reaches only their own check-ins: every lookup filters on ``request.user``, so
someone else's id is a 404.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from followup import forms, timeline
from followup.models import CheckIn
from followup.services import checkins as checkin_service
from participants.access import participant_required
from participants.models import AuditAction
from participants.services.audit import audit_record
from participants.services.scoring import is_crisis


@participant_required
@sensitive_post_parameters()  # answers and notes are PHI: never in error reports
def checkin(request: HttpRequest, public_id) -> HttpResponse:
    """Answer one check-in; once answered (or before it opens) the page says so."""
    item = get_object_or_404(
        CheckIn.objects.select_related("enrollment__session__session_type"),
        public_id=public_id,
        participant=request.user,
    )
    is_open = item.is_open(timezone.now())
    form = forms.CheckInForm(request.POST if request.method == "POST" else None, checkin=item)
    # Crisis resources at once after PHQ-9 item 9 above 0 (the safety path, as in screening).
    crisis_now = is_crisis(item.answers)
    if request.method == "POST" and is_open:
        if form.is_valid():
            data = form.cleaned_data
            try:
                item = checkin_service.checkin_complete(
                    checkin=item,
                    answers=checkin_service.CheckInAnswers(
                        mood=data["mood"],
                        reflection=data["reflection"],
                        practices=data["practices"],
                        answers={k: v for k, v in data.items() if k.startswith(("phq9_", "gad7_"))},
                        wants_contact=data["wants_contact"],
                        instruments=form.instruments,
                    ),
                )
            except checkin_service.CheckInRefused as error:
                messages.info(request, str(error))
                return redirect("followup:checkin", public_id=item.public_id)
            audit_record(request=request, action=AuditAction.SUBMIT, record=item)
            messages.success(request, _("Thank you: your check-in is saved."))
            return redirect("followup:checkin", public_id=item.public_id)
        # The safety path runs on what was answered even when another field needs attention.
        answers, wants_contact = form.safety_values()
        reasons = checkin_service.safety_reasons(answers=answers, wants_contact=wants_contact)
        checkin_service.checkin_safety_raise(checkin=item, reasons=reasons)
        crisis_now = is_crisis(answers)
    else:
        audit_record(request=request, action=AuditAction.VIEW, record=item)
    return render(
        request,
        "followup/checkin.html",
        {
            "checkin": item,
            "session": item.session,
            "form": form,
            "is_open": is_open,
            "crisis_now": crisis_now,
        },
    )


@participant_required
def progress(request: HttpRequest) -> HttpResponse:
    """The participant's own check-ins and scores over time: charts with a table beside them."""
    audit_record(
        request=request, action=AuditAction.VIEW, record="progress", participant=request.user
    )
    return render(
        request,
        "followup/progress.html",
        {"progress": timeline.participant_progress(participant=request.user)},
    )
