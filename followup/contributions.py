"""What the follow-up adds to the pages and records of the apps below: the check-ins in a
participant's data export and on My program, and check-ins among the clinical records."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from followup.models import CheckIn, CheckInKind
from followup.timeline import checkins_open_newest
from journease.clinic_time import local
from participants import selectors
from participants.instruments import QUESTIONS
from participants.models import User
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


# Open check-ins listed on My program; the rest are on My progress, beside every check-in.
OPEN_CHECKINS_SHOWN = 5


@dataclass(frozen=True)
class OpenCheckins:
    shown: list[CheckIn]
    more: bool  # more are open than ``shown``

    def __bool__(self) -> bool:
        return bool(self.shown)

    @property
    def links(self) -> list[dict]:
        """Each shown check-in as the page lists it: its link, its kind and the day it opened."""
        kinds, day = dict(CheckInKind.choices), _("j F Y")
        return [
            {
                "url": reverse("followup:checkin", kwargs={"public_id": checkin.public_id}),
                "kind": kinds[checkin.kind],
                "day": date_format(local(checkin.opens_at), day),
            }
            for checkin in self.shown
        ]


def checkins_open_on_program(*, participant: User) -> OpenCheckins:
    """My program's check-ins waiting for an answer: the ``OPEN_CHECKINS_SHOWN`` most recently
    opened, and whether there are more (a year of history can leave dozens open)."""
    found = checkins_open_newest(participant=participant, count=OPEN_CHECKINS_SHOWN + 1)
    return OpenCheckins(shown=found[-OPEN_CHECKINS_SHOWN:], more=len(found) > OPEN_CHECKINS_SHOWN)


def register() -> None:
    retention.register_clinical_model("checkin", CheckIn)
    selectors.register_program_part("open_checkins", checkins_open_on_program)
    data_export.register_export_section(checkins_section, position=data_export.POSITION_CHECKINS)
