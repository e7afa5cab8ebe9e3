"""Clinicians' pages of outcomes: one participant's timeline and the group outcomes report.

Clinical records: clinicians and admins (``view_clinical_records``) only; coordinators get 403.
"""

import csv

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from followup import outcome_csv, outcomes, timeline
from followup.charts import bar_chart
from journease.clinic_language import in_clinic_language
from participants.access import clinical_required
from participants.models import AuditAction, Role, User
from participants.services.audit import audit_record


@clinical_required
def participant_timeline(request: HttpRequest, pk: int) -> HttpResponse:
    participant = get_object_or_404(
        User.objects.select_related("participant_profile"), pk=pk, groups__name=Role.PARTICIPANT
    )
    audit_record(
        request=request, action=AuditAction.VIEW, record="timeline", participant=participant
    )
    return render(
        request,
        "followup/staff/timeline.html",
        {"timeline": timeline.participant_timeline(participant=participant)},
    )


def _month_chart(report: outcomes.OutcomesReport):
    from django.utils.translation import gettext as _

    months = report.by_month[-12:]
    return bar_chart(
        title=_("Mean PHQ-9 and GAD-7, baseline and latest, by month of the session"),
        groups=[
            (
                group.label,
                [
                    group.phq9_baseline_mean,
                    group.phq9_latest_mean,
                    group.gad7_baseline_mean,
                    group.gad7_latest_mean,
                ],
            )
            for group in months
        ],
        legend=[
            ("bar-phq9-baseline", _("PHQ-9 baseline")),
            ("bar-phq9-latest", _("PHQ-9 latest")),
            ("bar-gad7-baseline", _("GAD-7 baseline")),
            ("bar-gad7-latest", _("GAD-7 latest")),
        ],
        y_max=27,
        y_step=5,
    )


@clinical_required
def outcomes_report(request: HttpRequest) -> HttpResponse:
    report = outcomes.outcomes_report()
    audit_record(request=request, action=AuditAction.VIEW, record="group outcomes")
    return render(
        request,
        "followup/staff/outcomes.html",
        {"report": report, "chart": _month_chart(report)},
    )


@clinical_required
@in_clinic_language
def outcomes_csv(request: HttpRequest) -> HttpResponse:
    """The report's figures as CSV: aggregates per group, no names."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="journease-outcomes-{stamp}.csv"'
    audit_record(request=request, action=AuditAction.EXPORT, record="group outcomes")
    writer = csv.writer(response)
    writer.writerows(outcome_csv.outcomes_csv_rows(outcomes.outcomes_report()))
    return response
