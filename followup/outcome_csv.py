"""The outcome reports as CSV: aggregates per group, never a name (a file leaves the page's
access check behind). The clinic-wide report and one cohort's page share the row layout.

Every text cell goes through ``csv_cell``: a group's label is typed by staff (a session's or a
cohort's title), and a spreadsheet runs a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return as a formula (CSV injection), so such a cell is prefixed with an apostrophe.
Numbers are written by this module and left as they are.
"""

from django.utils import timezone

from followup.cohort_outcomes import CohortOutcomes
from followup.outcomes import GroupOutcome, OutcomesReport

CSV_HEADER = (
    "grouping",
    "group",
    "participants",
    "phq9_pairs",
    "phq9_baseline_mean",
    "phq9_latest_mean",
    "phq9_change_mean",
    "gad7_pairs",
    "gad7_baseline_mean",
    "gad7_latest_mean",
    "gad7_change_mean",
    "response_eligible",
    "responders",
    "response_rate",
    "remissions",
    "remission_rate",
    # The rate is checkins_completed_of_prompts_sent ÷ checkin_prompts_sent.
    "checkin_prompts_sent",
    "checkins_completed_of_prompts_sent",
    "checkin_response_rate",
)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(text: str) -> str:
    """``text`` safe to open in a spreadsheet: never read as a formula."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def group_csv_row(grouping: str, group: GroupOutcome) -> list[str]:
    """One group's figures, in ``CSV_HEADER``'s order."""
    return [
        csv_cell(grouping),
        csv_cell(group.label),
        str(group.participant_count),
        str(group.phq9_pairs),
        _number(group.phq9_baseline_mean),
        _number(group.phq9_latest_mean),
        _number(group.phq9_change_mean),
        str(group.gad7_pairs),
        _number(group.gad7_baseline_mean),
        _number(group.gad7_latest_mean),
        _number(group.gad7_change_mean),
        str(group.eligible_count),
        str(group.responders),
        _number(group.response_rate),
        str(group.remissions),
        _number(group.remission_rate),
        str(group.prompts_sent),
        str(group.checkins_completed),
        _number(group.checkin_response_rate),
    ]


def outcomes_csv_rows(report: OutcomesReport) -> list[list[str]]:
    """The report as CSV rows (header first): one row per group, aggregates only, no names."""
    rows = [list(CSV_HEADER)]
    every = [("all", [report.overall])] + [(key, items) for key, _label, items in report.groupings]
    for grouping, items in every:
        rows.extend(group_csv_row(grouping, group) for group in items)
    return rows


ATTENDANCE_HEADER = (
    "session",
    "starts_at",
    "attended",
    "not_dosed",
    "no_show",
    "cancelled",
    "not_taken",
)


def cohort_outcomes_csv_rows(report: CohortOutcomes) -> list[list[str]]:
    """A cohort's figures as CSV rows: the outcomes row (``CSV_HEADER``), a blank line, then its
    attendance per session (``ATTENDANCE_HEADER``). Aggregates only, no names."""
    rows = [list(CSV_HEADER), group_csv_row("cohort", report.group), [], list(ATTENDANCE_HEADER)]
    for line in report.sessions:
        rows.append(
            [
                csv_cell(line.session.session_type.name),
                timezone.localtime(line.session.starts_at).isoformat(),
                str(line.attended),
                str(line.not_dosed),
                str(line.no_show),
                str(line.cancelled),
                str(line.not_taken),
            ]
        )
    return rows
