"""Staff pages: the screening review queue and page, safety alerts, and the flag rules.

Coordinators see who waits and in which status, never answers, scores or flags; clinicians and
admins (``view_clinical_records``) see the clinical detail; only clinicians who *decide
eligibility* decide.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from journease.clinic_time import clinic_today
from participants import forms, selectors
from participants.access import (
    clinical_required,
    may_decide_eligibility,
    may_edit_flag_rules,
    may_enter_interpreter_answers,
    may_read_clinical_records,
    staff_required,
)
from participants.instruments import SAFETY_CODES, SECTIONS, SECTIONS_BY_SLUG
from participants.models import AuditAction, FlagRule, SafetyAlert, Screening, ScreeningPolicy
from participants.services import alerts, interpreter
from participants.services import screening as screening_service
from participants.services.accounts import age_on
from participants.services.audit import audit_record
from participants.views.queue_rows import review_queue_rows


@staff_required
def review_queue(request: HttpRequest) -> HttpResponse:
    clinical = may_read_clinical_records(request.user)
    if clinical:  # the clinical queue shows flags and safety levels
        audit_record(request=request, action=AuditAction.VIEW, record="review queue")
    queue = selectors.screening_review_queue()
    recent = selectors.screening_recent_decisions()
    queue_rows, decision_rows = review_queue_rows(queue, recent, clinical=clinical)
    return render(
        request,
        "participants/staff/review_queue.html",
        {
            "queue": queue,
            "recent": recent,
            "queue_rows": queue_rows,
            "decision_rows": decision_rows,
            "clinical": clinical,
            "may_edit_rules": may_edit_flag_rules(request.user),
        },
    )


def _answer_rows(screening: Screening) -> list[tuple]:
    flagged = {flag.get("field") for flag in screening.flags}
    safety = SAFETY_CODES
    rows = []
    for section in SECTIONS:
        items = []
        for question in section.questions:
            value = screening.answers.get(question.code)
            highlight = question.code in flagged or (
                question.code in safety and value not in (None, 0, "no", "")
            )
            items.append(
                (question, screening_service.answer_display(question.code, value), highlight)
            )
        rows.append((section, items))
    return rows


@clinical_required
@sensitive_post_parameters()  # answers and notes are PHI: never in error reports
def review_detail(request: HttpRequest, public_id) -> HttpResponse:
    screening = get_object_or_404(
        Screening.objects.select_related("participant__participant_profile", "decided_by"),
        public_id=public_id,
    )
    may_decide = may_decide_eligibility(request.user)
    form = forms.DecisionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not may_decide:
            raise PermissionDenied
        if form.is_valid():
            try:
                screening_service.screening_decide(
                    screening=screening,
                    clinician=request.user,
                    decision=form.cleaned_data["decision"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            except screening_service.ScreeningRefused as error:
                messages.error(request, str(error))
                return redirect("participants:review_detail", public_id=screening.public_id)
            else:
                audit_record(request=request, action=AuditAction.DECIDE, record=screening)
                messages.success(request, _("The decision is recorded; the participant is told."))
                return redirect("participants:review_queue")
    audit_record(request=request, action=AuditAction.VIEW, record=screening)
    return _review_page(request, screening, form)


def _interpreter_forms(request: HttpRequest, screening: Screening, bound=None) -> list:
    """A form with the English wording for each instrument waiting for interpreter answers,
    for the clinicians who record them (``bound`` replaces the one just posted)."""
    if not may_enter_interpreter_answers(request.user):
        return []
    decidable = screening.status in screening_service.DECIDABLE_STATUSES
    return [
        bound
        if bound is not None and bound.section.slug == slug
        else forms.InterpreterAnswersForm(
            section=SECTIONS_BY_SLUG[slug],
            action=reverse(
                "participants:review_interpreter",
                kwargs={"public_id": screening.public_id, "instrument": slug},
            ),
        )
        for slug in screening.instruments_awaiting_interpreter
        if decidable
    ]


def _review_page(request: HttpRequest, screening: Screening, form, bound=None) -> HttpResponse:
    profile = getattr(screening.participant, "participant_profile", None)
    return render(
        request,
        "participants/staff/review_detail.html",
        {
            "screening": screening,
            "profile": profile,
            "age": age_on(profile.date_of_birth, clinic_today()) if profile else None,
            "rows": _answer_rows(screening),
            "alerts": screening.safety_alerts.all(),
            "may_decide": may_decide_eligibility(request.user),
            "decidable": screening.status in screening_service.DECIDABLE_STATUSES,
            "form": form,
            "interpreter_forms": _interpreter_forms(request, screening, bound),
            "earlier": selectors.screening_list_for_participant(
                participant=screening.participant
            ).exclude(pk=screening.pk),
        },
    )


@clinical_required
@sensitive_post_parameters()  # answers are PHI: never in error reports
@require_POST
def review_interpreter(request: HttpRequest, public_id, instrument: str) -> HttpResponse:
    """A clinician records an instrument's answers given through an interpreter."""
    if not may_enter_interpreter_answers(request.user):
        raise PermissionDenied
    screening = get_object_or_404(
        Screening.objects.select_related("participant__participant_profile", "decided_by"),
        public_id=public_id,
    )
    if instrument not in screening.instruments_awaiting_interpreter:
        raise Http404
    bound = forms.InterpreterAnswersForm(
        request.POST,
        section=SECTIONS_BY_SLUG[instrument],
        action=request.path,
    )
    if bound.is_valid():
        try:
            interpreter.screening_record_interpreter_answers(
                screening=screening,
                clinician=request.user,
                instrument=instrument,
                values=bound.cleaned_data,
            )
        except ValidationError as error:
            bound.add_error(None, error)
        except screening_service.ScreeningRefused as error:
            messages.error(request, str(error))
            return redirect("participants:review_detail", public_id=screening.public_id)
        else:
            audit_record(request=request, action=AuditAction.UPDATE, record=screening)
            messages.success(
                request, _("The answers are recorded and the screening is scored again.")
            )
            return redirect("participants:review_detail", public_id=screening.public_id)
    audit_record(request=request, action=AuditAction.VIEW, record=screening)
    return _review_page(request, screening, forms.DecisionForm(), bound)


@clinical_required
def alert_list(request: HttpRequest) -> HttpResponse:
    audit_record(request=request, action=AuditAction.VIEW, record="safety alert list")
    return render(
        request,
        "participants/staff/alert_list.html",
        {
            "alerts": selectors.safety_alert_list(),
            "escalation_minutes": ScreeningPolicy.current().alert_escalation_minutes,
        },
    )


def _alert(public_id) -> SafetyAlert:
    return get_object_or_404(
        SafetyAlert.objects.select_related(
            "participant__participant_profile", "acknowledged_by", "screening"
        ),
        public_id=public_id,
    )


@clinical_required
@sensitive_post_parameters()  # answers and notes are PHI: never in error reports
def alert_detail(request: HttpRequest, public_id) -> HttpResponse:
    alert = _alert(public_id)
    form = forms.AlertCloseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            alerts.safety_alert_close(
                alert=alert, clinician=request.user, note=form.cleaned_data["outreach_note"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        except alerts.AlertRefused as error:
            messages.error(request, str(error))
            return redirect("participants:alert_detail", public_id=alert.public_id)
        else:
            audit_record(request=request, action=AuditAction.CLOSE, record=alert)
            messages.success(request, _("The alert is closed."))
            return redirect("participants:alert_list")
    audit_record(request=request, action=AuditAction.VIEW, record=alert)
    return render(
        request,
        "participants/staff/alert_detail.html",
        {
            "alert": alert,
            "profile": getattr(alert.participant, "participant_profile", None),
            "form": form,
            "is_owner": alert.acknowledged_by_id == request.user.pk,
        },
    )


@clinical_required
@require_POST
def alert_acknowledge(request: HttpRequest, public_id) -> HttpResponse:
    alert = _alert(public_id)
    try:
        alerts.safety_alert_acknowledge(alert=alert, clinician=request.user)
    except alerts.AlertRefused as error:
        messages.error(request, str(error))
    else:
        audit_record(request=request, action=AuditAction.ACKNOWLEDGE, record=alert)
        messages.success(request, _("You own this alert now: please reach out and record it."))
    return redirect("participants:alert_detail", public_id=alert.public_id)


def _rules_access(request: HttpRequest) -> None:
    if not may_edit_flag_rules(request.user):
        raise PermissionDenied


@staff_required
def flag_rule_list(request: HttpRequest) -> HttpResponse:
    _rules_access(request)
    return render(
        request,
        "participants/staff/flag_rule_list.html",
        {"rules": FlagRule.objects.order_by("severity", "field", "code")},
    )


@staff_required
def flag_rule_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    _rules_access(request)
    rule = get_object_or_404(FlagRule, pk=pk) if pk else None
    form = forms.FlagRuleForm(request.POST if request.method == "POST" else None, instance=rule)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(
            request, _("The rule is saved; it applies to screenings submitted from now on.")
        )
        return redirect("participants:flag_rule_list")
    return render(request, "participants/staff/flag_rule_form.html", {"form": form, "rule": rule})
