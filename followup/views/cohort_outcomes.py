"""The staff's printable page of one cohort's outcomes and attendance, and its CSV.

Clinical records: whoever may see the clinic's outcomes page (``view_clinical_records``);
coordinators get 403, as there.
"""

import csv

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from cohorts.models import Cohort
from followup.cohort_outcomes import cohort_outcomes
from followup.outcome_csv import cohort_outcomes_csv_rows
from journease.clinic_language import in_clinic_language
from participants.access import clinical_required
from participants.models import AuditAction, User
from participants.services.audit import audit_list, audit_record


def _cohort(pk: int) -> Cohort:
    return get_object_or_404(Cohort.objects.select_related("template", "room"), pk=pk)


@clinical_required
def cohort_outcomes_page(request: HttpRequest, pk: int) -> HttpResponse:
    now = timezone.now()
    report = cohort_outcomes(cohort=_cohort(pk), now=now)
    shown = [row.participant for row in report.members]
    audit_list(
        request=request,
        model=User,
        shown=shown,
        total=len(shown),
        filters="",
        place=f"outcomes of cohort {report.cohort.pk}",
    )
    return render(
        request,
        "followup/cohort_outcomes.html",
        {"report": report, "groups": [report.group], "printed_at": now},
    )


@clinical_required
@in_clinic_language
def cohort_outcomes_csv(request: HttpRequest, pk: int) -> HttpResponse:
    """The cohort's figures and attendance per session as CSV: aggregates, no names."""
    cohort = _cohort(pk)
    report = cohort_outcomes(cohort=cohort, now=timezone.now())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stamp = timezone.localdate().isoformat()
    name = f"journease-cohort-{cohort.pk}-outcomes-{stamp}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    audit_record(
        request=request, action=AuditAction.EXPORT, record=f"outcomes of cohort {cohort.pk}"
    )
    csv.writer(response).writerows(cohort_outcomes_csv_rows(report))
    return response
