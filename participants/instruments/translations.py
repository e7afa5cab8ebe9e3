"""Which texts a translation of PHQ-9, GAD-7 or the C-SSRS screener holds, and the section it
shows.

A translation is data the clinic loads (``InstrumentTranslation``): the published, validated
wording with its source and version. Its ``texts`` have exactly the keys of the English
instrument below: ``stem`` (the instructions above the items), one key per question code, a
question's help as ``<code>.help``, the answers shared by every item as ``answers.<value>`` and
an answer of one question only as ``<code>.<value>``.
"""

from dataclasses import replace

from django.utils.html import conditional_escape

from participants.instruments import (
    CSSRS_CODES,
    GAD7_CODES,
    PHQ9_CODES,
    SECTIONS_BY_SLUG,
    Question,
    Section,
)
from participants.instruments.published import (
    CSSRS_6_RECENT,
    CSSRS_ANSWERS,
    CSSRS_HELP,
    CSSRS_QUESTIONS,
    FREQUENCY,
    GAD7_ITEMS,
    PHQ9_DIFFICULTY,
    PHQ9_DIFFICULTY_QUESTION,
    PHQ9_ITEMS,
    TWO_WEEKS_STEM,
)

# The instruments that are shown only in a published wording; each is a section of the
# questionnaire with the same slug.
INSTRUMENTS = ("phq9", "gad7", "cssrs")
# The language the instruments are written in: every other one is a loaded translation.
ORIGINAL_LANGUAGE = "en"
INSTRUMENT_NAMES = {"phq9": "PHQ-9", "gad7": "GAD-7", "cssrs": "C-SSRS"}


def _answers(choices) -> dict[str, str]:
    return {f"answers.{value}": label for value, label in choices}


ENGLISH_TEXTS: dict[str, dict[str, str]] = {
    "phq9": {
        "stem": TWO_WEEKS_STEM,
        **dict(zip(PHQ9_CODES, PHQ9_ITEMS, strict=True)),
        **_answers(FREQUENCY),
        "phq9_difficulty": PHQ9_DIFFICULTY_QUESTION,
        **{f"phq9_difficulty.{value}": label for value, label in PHQ9_DIFFICULTY},
    },
    "gad7": {
        "stem": TWO_WEEKS_STEM,
        **dict(zip(GAD7_CODES, GAD7_ITEMS, strict=True)),
        **_answers(FREQUENCY),
    },
    "cssrs": {
        **dict(zip(CSSRS_CODES, CSSRS_QUESTIONS, strict=True)),
        **{f"cssrs_{number}.help": text for number, text in CSSRS_HELP.items()},
        "cssrs_6_recent": CSSRS_6_RECENT,
        **_answers(CSSRS_ANSWERS),
    },
}


def _question_in(question: Question, texts: dict[str, str]) -> Question:
    choices = tuple(
        (value, texts.get(f"{question.code}.{value}") or texts[f"answers.{value}"])
        for value, _label in question.choices
    )
    help_key = f"{question.code}.help"
    return replace(
        question,
        label=texts[question.code],
        choices=choices,
        # Help texts are rendered as HTML by the form layout: a loaded text is escaped here.
        help_text=conditional_escape(texts[help_key]) if help_key in texts else "",
    )


def section_in(instrument: str, texts: dict[str, str]) -> Section:
    """The instrument's section worded with ``texts`` (keys as ``ENGLISH_TEXTS``): the same
    codes, answer values and rules, so answers are stored and scored exactly as in English."""
    section = SECTIONS_BY_SLUG[instrument]
    return replace(
        section,
        intro=texts.get("stem", section.intro),
        questions=tuple(_question_in(question, texts) for question in section.questions),
    )
