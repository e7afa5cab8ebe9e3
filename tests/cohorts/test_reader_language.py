"""A program in the reader's language: its page and its sessions' titles read the Spanish the
clinic wrote for a participant who reads Spanish, the English otherwise."""

import pytest
from django.urls import reverse

from cohorts.selectors import cohort_sessions
from tests.cohorts.conftest import CLOCK

pytestmark = [pytest.mark.django_db, pytest.mark.clock(CLOCK)]


@pytest.fixture
def spanish_program(program, session_types):
    program.public_name_es = "Programa de grupo"
    program.description = "Six weeks with the same group."
    program.description_es = "Seis semanas con el mismo grupo."
    program.save()
    program.steps.update(purpose_es="Encuentro del grupo")
    session_types["integration"].name_es = "Círculo de integración"
    session_types["integration"].save()
    return program


def test_program_page_reads_spanish_for_a_spanish_reader(
    spanish_program, make_cohort, participant_client
):
    cohort = make_cohort()
    url = reverse("cohorts:cohort_detail", args=[cohort.pk])
    spanish = participant_client(language="es").get(url).content.decode()
    for text in ("Programa de grupo", "Seis semanas con el mismo grupo.", "Encuentro del grupo"):
        assert text in spanish
    english = participant_client(language="en").get(url).content.decode()
    assert "Six weeks with the same group." in english and "Meeting 1" in english
    assert "Programa de grupo" not in english and "Encuentro del grupo" not in english


def test_cohort_sessions_get_spanish_titles_from_the_programs_and_types_names(
    spanish_program, make_cohort, session_types
):
    cohort = make_cohort()
    titles = {
        session.session_type_id: (session.title, session.title_es)
        for session in cohort_sessions(cohort)
    }
    integration = session_types["integration"]
    assert titles[integration.pk] == (
        f"Group program · {integration.name}",
        "Programa de grupo · Círculo de integración",
    )
