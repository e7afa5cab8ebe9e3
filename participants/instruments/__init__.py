"""The screening questionnaire as data: its sections, questions and answer choices.

The forms are built from it, the services check completeness against it, and flag rules name its
question codes. PHQ-9, GAD-7 and the C-SSRS screener keep their published wording and answers.
"""

from dataclasses import dataclass, field

from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

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

YES, NO = "yes", "no"
YES_NO = ((YES, _("Yes")), (NO, _("No")))


@dataclass(frozen=True)
class Question:
    code: str
    label: str
    kind: str  # "yesno", "choice", "multi", "scale", "int", "text"
    choices: tuple = ()
    required: bool = True
    help_text: str = ""
    min_value: int | None = None
    max_value: int | None = None


@dataclass(frozen=True)
class Section:
    slug: str
    title: str
    intro: str = ""
    questions: tuple[Question, ...] = field(default_factory=tuple)
    free_text: bool = False  # shows the "not monitored in real time" crisis note

    @property
    def codes(self) -> list[str]:
        return [question.code for question in self.questions]


def _yesno(code: str, label: str, help_text: str = "") -> Question:
    return Question(code, label, "yesno", YES_NO, help_text=help_text)


MEDICATION_CLASSES = (
    ("none", _("I take no regular medicines")),
    ("ssri_snri", _("Antidepressants (SSRI or SNRI, e.g. sertraline, venlafaxine)")),
    ("maoi", _("MAO inhibitors (e.g. phenelzine, tranylcypromine, selegiline)")),
    ("benzodiazepines", _("Benzodiazepines (e.g. lorazepam, clonazepam, alprazolam)")),
    ("lamotrigine", _("Lamotrigine")),
    ("stimulants", _("Stimulants (e.g. methylphenidate, amphetamine)")),
    ("antipsychotics", _("Antipsychotics (e.g. quetiapine, aripiprazole)")),
    ("lithium", _("Lithium or other mood stabilisers")),
    ("opioids", _("Opioid pain medicines or treatment (e.g. buprenorphine)")),
    ("blood_pressure", _("Blood pressure medicines")),
    ("sleep", _("Sleep medicines (e.g. zolpidem)")),
)

PREGNANCY = (
    ("not_applicable", _("Not applicable to me")),
    ("no", _("No")),
    ("pregnant", _("I am pregnant, may be pregnant, or plan to become pregnant soon")),
    ("breastfeeding", _("I am breastfeeding")),
)

ALCOHOL = (
    ("never", _("Never")),
    ("monthly", _("Monthly or less")),
    ("weekly", _("2 to 4 times a month or 2 to 3 times a week")),
    ("daily", _("4 or more times a week")),
)

PHQ9_CODES = tuple(f"phq9_{n}" for n in range(1, 10))
GAD7_CODES = tuple(f"gad7_{n}" for n in range(1, 8))

# C-SSRS screen version (recent). Questions 3 to 5 follow a "yes" to question 2; we ask all six
# and apply the published rules: any "yes" from 2 to 6 is a safety alert, 1 alone a review flag.
CSSRS_CODES = tuple(f"cssrs_{n}" for n in range(1, 7))
# The published flow asks questions 3 to 5 only after a "yes" to question 2.
CSSRS_AFTER_2 = CSSRS_CODES[2:5]
# Follow-up questions and the question whose "yes" asks them; the page hides them otherwise.
FOLLOW_UPS = {**dict.fromkeys(CSSRS_AFTER_2, "cssrs_2"), "cssrs_6_recent": "cssrs_6"}
# Said where numbered follow-ups begin, so the numbers never jump from 2 to 6 without a reason
# (the published screener keeps its numbers: clinicians and the section's intro refer to them).
SKIP_NOTES = {
    CSSRS_AFTER_2[0]: _(
        "Questions 3 to 5 are asked only after a “Yes” to question 2. After a “No”, they are "
        "skipped and question 6 comes next."
    ),
}
NUMBERED_CODES = frozenset(PHQ9_CODES + GAD7_CODES + CSSRS_CODES)
# Answers the review page highlights whenever they are not "no"/0 (see scoring.safety_assessment).
SAFETY_CODES = frozenset(("phq9_9", *CSSRS_CODES))

SECTIONS: tuple[Section, ...] = (
    Section(
        "medical",
        _("Medical history"),
        _("Have you ever been told by a health professional that you have, or had, any of these?"),
        (
            _yesno("psychosis", _("Psychosis or schizophrenia (now or in the past)")),
            _yesno(
                "mania",
                _(
                    "Mania or hypomania now or in the last 3 months (for example in bipolar disorder)"
                ),
            ),
            _yesno("heart_disease", _("Heart disease, heart failure or an irregular heartbeat")),
            _yesno(
                "high_blood_pressure",
                _("High blood pressure that is not controlled by treatment"),
            ),
            _yesno(
                "aneurysm_avm_bleed",
                _("An aneurysm, an arteriovenous malformation (AVM) or bleeding in the brain"),
            ),
            _yesno(
                "glaucoma_icp",
                _("Glaucoma, or raised pressure inside the eye or the head"),
            ),
            _yesno("liver_disease", _("Liver disease")),
            _yesno(
                "bladder_problems",
                _("Bladder problems (pain, frequent urination or blood in the urine)"),
            ),
            _yesno("sleep_apnea", _("Sleep apnoea")),
            _yesno("ketamine_allergy", _("An allergy or bad reaction to ketamine")),
            Question(
                "medical_other",
                _("Anything else about your health we should know"),
                "text",
                required=False,
            ),
        ),
        free_text=True,
    ),
    Section(
        "medications",
        _("Current medicines"),
        _("Tick every kind of medicine you take regularly, including those taken only as needed."),
        (
            Question(
                "medication_classes",
                _("Kinds of medicine you take"),
                "multi",
                MEDICATION_CLASSES,
                help_text=_("Tick “I take no regular medicines” if none apply."),
            ),
            Question(
                "medications_other",
                _("Names and doses of your medicines and supplements"),
                "text",
                required=False,
            ),
        ),
        free_text=True,
    ),
    Section(
        "substances",
        _("Alcohol and other substances"),
        _("Honest answers help us keep you safe; they do not exclude you by themselves."),
        (
            Question(
                "alcohol", _("How often do you have a drink containing alcohol?"), "choice", ALCOHOL
            ),
            _yesno("cannabis", _("Have you used cannabis in the last 3 months?")),
            _yesno(
                "ketamine_pcp_misuse",
                _(
                    "In the last 12 months, have you used ketamine or PCP other than as prescribed "
                    "by a clinician?"
                ),
            ),
            Question(
                "substances_other",
                _("Other substances you use, and how often"),
                "text",
                required=False,
            ),
        ),
        free_text=True,
    ),
    Section(
        "pregnancy_bp",
        _("Pregnancy and blood pressure"),
        "",
        (
            Question(
                "pregnancy",
                _("Are you pregnant or breastfeeding?"),
                "choice",
                PREGNANCY,
            ),
            Question(
                "systolic",
                _("Most recent blood pressure: systolic (upper number)"),
                "int",
                required=False,
                help_text=_("Optional, in mmHg, e.g. 120. Leave both empty if you do not know."),
                min_value=70,
                max_value=260,
            ),
            Question(
                "diastolic",
                _("Most recent blood pressure: diastolic (lower number)"),
                "int",
                required=False,
                help_text=_("Optional, in mmHg, e.g. 80."),
                min_value=40,
                max_value=160,
            ),
        ),
    ),
    Section(
        "phq9",
        _("Mood (PHQ-9)"),
        TWO_WEEKS_STEM,
        tuple(
            Question(code, label, "scale", FREQUENCY)
            for code, label in zip(PHQ9_CODES, PHQ9_ITEMS, strict=True)
        )
        + (
            Question(
                "phq9_difficulty",
                PHQ9_DIFFICULTY_QUESTION,
                "choice",
                PHQ9_DIFFICULTY,
                required=False,
            ),
        ),
    ),
    Section(
        "gad7",
        _("Anxiety (GAD-7)"),
        TWO_WEEKS_STEM,
        tuple(
            Question(code, label, "scale", FREQUENCY)
            for code, label in zip(GAD7_CODES, GAD7_ITEMS, strict=True)
        ),
    ),
    Section(
        "cssrs",
        _("Thoughts of suicide (C-SSRS screener)"),
        _("Questions 1 to 5 are about the past month; question 6 is about your whole life."),
        tuple(
            Question(
                code,
                label,
                "yesno",
                CSSRS_ANSWERS,
                required=code not in CSSRS_AFTER_2,
                help_text=CSSRS_HELP.get(number, ""),
            )
            for number, (code, label) in enumerate(
                zip(CSSRS_CODES, CSSRS_QUESTIONS, strict=True), start=1
            )
        )
        + (
            Question(
                "cssrs_6_recent",
                CSSRS_6_RECENT,
                "choice",
                CSSRS_ANSWERS,
                required=False,
            ),
        ),
    ),
)
SECTIONS_BY_SLUG = {section.slug: section for section in SECTIONS}
QUESTIONS = {question.code: question for section in SECTIONS for question in section.questions}

# Fields a flag rule may test: every answer, plus the derived ones.
DERIVED_FIELDS = {"age": _("Age on the day of submission (derived from the date of birth)")}


def _flaggable_choices() -> list[tuple[str, str]]:
    choices = [(code, f"{code} — {label}") for code, label in DERIVED_FIELDS.items()]
    choices += [
        (question.code, f"{question.code} — {question.label}")
        for question in QUESTIONS.values()
        if question.kind != "text"
    ]
    return choices


flaggable_choices = lazy(_flaggable_choices, list)
FLAGGABLE_FIELDS = frozenset(DERIVED_FIELDS) | {
    code for code, question in QUESTIONS.items() if question.kind != "text"
}
