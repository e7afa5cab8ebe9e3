"""The C-SSRS page numbers its questions as the person sees them: questions 3 to 5 follow only a
"yes" to question 2, and the page says so where they are skipped, so 2 is never followed by 6
without a word."""

import re

import pytest
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("screening_defaults")]

SKIP_NOTE = "Questions 3 to 5 are asked only after a “Yes” to question 2"


@pytest.fixture
def cssrs_page(participant_client):
    client = participant_client()
    client.post(reverse("participants:screening_start"))
    screening = client.user.screenings.get()
    client.url = reverse("participants:screening_section", args=[screening.public_id, "cssrs"])
    return client


def question_blocks(html: str) -> dict[str, str]:
    """The opening tag of each question's block, by question code."""
    pattern = r'(<div[^>]*class="question question-(cssrs_\w+)[^"]*"[^>]*>)'
    return {code: tag for tag, code in re.findall(pattern, html)}


def numbers_in_order(html: str) -> list[int]:
    return [int(n) for n in re.findall(r"<legend[^>]*>\s*(\d)\. ", html)]


def test_the_page_says_why_questions_3_to_5_may_be_skipped(cssrs_page):
    html = cssrs_page.get(cssrs_page.url).content.decode()
    assert numbers_in_order(html) == [1, 2, 3, 4, 5, 6]
    note = html.index(SKIP_NOTE)
    assert html.index("2. Have you actually had") < note < html.index("3. Have you been thinking")


def test_after_no_to_question_2_the_page_goes_from_2_to_the_note_to_6(cssrs_page):
    answers = {f"cssrs_{n}": "no" for n in range(1, 7)}
    assert cssrs_page.post(cssrs_page.url, answers).status_code == 302

    html = cssrs_page.get(cssrs_page.url).content.decode()
    blocks = question_blocks(html)
    for code in ("cssrs_3", "cssrs_4", "cssrs_5"):
        assert " hidden" in blocks[code], f"{code} is shown after a no to question 2"
    for code in ("cssrs_1", "cssrs_2", "cssrs_6"):
        assert " hidden" not in blocks[code]
    assert SKIP_NOTE in html


def test_a_yes_to_question_2_asks_3_to_5_at_their_fields(cssrs_page):
    answers = {"cssrs_1": "yes", "cssrs_2": "yes", "cssrs_6": "no"}
    response = cssrs_page.post(cssrs_page.url, answers)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"cssrs_3", "cssrs_4", "cssrs_5"}
    blocks = question_blocks(response.content.decode())
    assert all(" hidden" not in blocks[code] for code in ("cssrs_3", "cssrs_4", "cssrs_5"))
