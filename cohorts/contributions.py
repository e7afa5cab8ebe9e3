"""What cohorts add to the pages of the apps below, through their hooks (``register``, called
from ``CohortsConfig.ready``): My sessions shows a program's seats together under its name, and
re-checking a seat's rules reads a cohort's seat as its program does."""

from django.urls import reverse

from cohorts.selectors import cohorts_of_enrollments
from cohorts.services.readiness import seat_programs_of
from journease.reader_language import in_reader_language
from sessions_app import selectors as session_selectors
from sessions_app.services import programs


def _seat_groups(enrollments) -> dict[int, tuple[object, str, str]]:
    return {
        enrollment_id: (
            ("cohort", cohort.pk),
            in_reader_language(cohort.template, "public_name"),
            reverse("cohorts:cohort_detail", args=[cohort.pk]),
        )
        for enrollment_id, cohort in cohorts_of_enrollments(enrollments).items()
    }


def register() -> None:
    session_selectors.register_seat_group(_seat_groups)
    programs.register_seat_program(seat_programs_of)
