"""What the follow-up adds to the pages and records of the apps below: the check-ins in a
participant's data export and on My program, and check-ins among the clinical records."""

from django.utils.translation import gettext as _

from followup.models import CheckIn
from followup.timeline import checkins_open_on_program
from participants import selectors
from participants.instruments import QUESTIONS
from participants.services import data_export, retention
from participants.services.data_export import ExportSection, export_record


def checkin_record(checkin: CheckIn) -> list[tuple]:
    record = export_record(checkin, skip={"answers"})
    record.append(("practices", _("Practices"), [str(p) for p in checkin.practices.all()]))
    answers = {}
    for code, answer in checkin.answers.items():
        question = QUESTIONS.get(code)
        label = str(question.label) if question else code
        choices = {str(k): v for k, v in question.choices} if question else {}
        answers[label] = str(choices.get(str(answer), answer))
    record.append(("answers", _("Answers"), answers))
    return record


def checkins_section(participant) -> ExportSection:
    rows = (
        CheckIn.objects.filter(participant=participant)
        .prefetch_related("practices")
        .order_by("opens_at")
    )
    return ExportSection("checkins", _("Integration check-ins"), [checkin_record(c) for c in rows])


def register() -> None:
    retention.register_clinical_model("checkin", CheckIn)
    selectors.register_program_part("open_checkins", checkins_open_on_program)
    data_export.register_export_section(checkins_section, position=data_export.POSITION_CHECKINS)
