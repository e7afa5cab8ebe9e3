"""The published English wording of PHQ-9, GAD-7 and the C-SSRS screener, word for word.

It is not the clinic's to translate: it stays out of the gettext catalogue. Another language is
shown only from a validated translation loaded as data (``InstrumentTranslation``), never from
a translation written here.
"""

# The standard answers of PHQ-9 and GAD-7, scored 0-3.
FREQUENCY = (
    (0, "Not at all"),
    (1, "Several days"),
    (2, "More than half the days"),
    (3, "Nearly every day"),
)
TWO_WEEKS_STEM = (
    "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
)

PHQ9_ITEMS = (
    "Little interest or pleasure in doing things",
    "Feeling down, depressed, or hopeless",
    "Trouble falling or staying asleep, or sleeping too much",
    "Feeling tired or having little energy",
    "Poor appetite or overeating",
    (
        "Feeling bad about yourself — or that you are a failure or have let yourself or your "
        "family down"
    ),
    "Trouble concentrating on things, such as reading the newspaper or watching television",
    (
        "Moving or speaking so slowly that other people could have noticed? Or the opposite — "
        "being so fidgety or restless that you have been moving around a lot more than usual"
    ),
    "Thoughts that you would be better off dead or of hurting yourself in some way",
)
PHQ9_DIFFICULTY_QUESTION = (
    "If you checked off any problems, how difficult have these problems made it for you to do "
    "your work, take care of things at home, or get along with other people?"
)
PHQ9_DIFFICULTY = (
    ("not_difficult", "Not difficult at all"),
    ("somewhat", "Somewhat difficult"),
    ("very", "Very difficult"),
    ("extremely", "Extremely difficult"),
)
GAD7_ITEMS = (
    "Feeling nervous, anxious, or on edge",
    "Not being able to stop or control worrying",
    "Worrying too much about different things",
    "Trouble relaxing",
    "Being so restless that it is hard to sit still",
    "Becoming easily annoyed or irritable",
    "Feeling afraid, as if something awful might happen",
)

# C-SSRS screen version (recent).
CSSRS_QUESTIONS = (
    "Have you wished you were dead or wished you could go to sleep and not wake up?",
    "Have you actually had any thoughts of killing yourself?",
    "Have you been thinking about how you might do this?",
    "Have you had these thoughts and had some intention of acting on them?",
    (
        "Have you started to work out or worked out the details of how to kill yourself? "
        "Do you intend to carry out this plan?"
    ),
    (
        "Have you ever done anything, started to do anything, or prepared to do anything to "
        "end your life?"
    ),
)
CSSRS_HELP = {
    3: (
        'For example: "I thought about taking an overdose but I never made a specific plan as '
        'to when, where or how I would actually do it… and I would never go through with it."'
    ),
    4: ('As opposed to "I have the thoughts but I definitely will not do anything about them."'),
    6: (
        "Examples: collected pills, obtained a gun, gave away valuables, wrote a will or suicide "
        "note, took out pills but didn't swallow any, held a gun but changed your mind or it was "
        "grabbed from your hand, went to the roof but didn't jump; or actually took pills, tried "
        "to shoot yourself, cut yourself, tried to hang yourself, etc."
    ),
}
CSSRS_6_RECENT = "Was this within the past 3 months?"
# The C-SSRS screener's own answers (the clinic's other yes/no questions use the catalogue's).
CSSRS_ANSWERS = (("yes", "Yes"), ("no", "No"))
