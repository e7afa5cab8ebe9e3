"""The review queue's rows, with what each cell shows worked out once in the view.

The queue is read on every visit during a registration rush: a template that looked up names,
choice labels and dates per row cost more than the rest of the page. Each row is a dict (the
template's cheapest lookup) of plain values; the template still writes every tag, translation
and escape, so the page reads the same.
"""

import datetime
import uuid
from collections.abc import Callable, Iterable

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import DateFormat, TimeFormat

from participants.models import FlagSeverity, Screening, ScreeningStatus


def _link_maker(name: str, kwarg: str, marker) -> Callable[[object], str]:
    """``reverse(name, kwargs={kwarg: value})`` for every row of a list at the cost of one: the
    address is reversed once around ``marker`` (a value no address otherwise holds) and each
    row's value takes its place. For ids whose converter writes them as ``str`` (int, uuid)."""
    head, tail = reverse(name, kwargs={kwarg: marker}).split(str(marker))
    return lambda value: f"{head}{value}{tail}"


def _full_name(first_name: str, last_name: str) -> str:
    """A person's name as ``User.get_full_name`` writes it, from the two names the selectors
    read with each screening (instead of every column of the account)."""
    return f"{first_name} {last_name}".strip()


def _status_labels() -> dict[str, str]:
    """Each status's label in the request's language: a choice label is translated once per
    page, not once per row (``get_status_display`` does both each time)."""
    return {value: str(label) for value, label in ScreeningStatus.choices}


class _Dates:
    """Writes times as the ``date`` filter writes them in the page's two formats, "j M Y" and
    "j M, g:i A" (in the current time zone; nothing for no value). The words (month, AM/PM)
    are Django's own in the request's language, asked once per page and month: the filter
    parses its format and translates its words again for every value, a tenth of the page at 35
    rows. The tests hold both methods to the filter's output in each language."""

    def __init__(self):
        self.zone = timezone.get_current_timezone()
        self.months: dict[int, str] = {}
        self.am = TimeFormat(datetime.time(0)).A()
        self.pm = TimeFormat(datetime.time(12)).A()

    def day(self, moment: datetime.date | None) -> str:
        """``moment|date:"j M Y"``."""
        if moment is None:
            return ""
        moment = self._local(moment)
        return f"{moment.day} {self._month(moment.month)} {moment.year:04d}"

    def time(self, moment: datetime.datetime | None) -> str:
        """``moment|date:"j M, g:i A"``."""
        if moment is None:
            return ""
        moment = self._local(moment)
        day = f"{moment.day} {self._month(moment.month)}"
        hour = moment.hour
        return f"{day}, {hour % 12 or 12}:{moment.minute:02d} {self.pm if hour > 11 else self.am}"

    def _local(self, moment: datetime.date) -> datetime.date:
        """What the template engine hands the filter: an aware time in the current zone."""
        if isinstance(moment, datetime.datetime) and timezone.is_aware(moment):
            return moment.astimezone(self.zone)
        return moment

    def _month(self, month: int) -> str:
        name = self.months.get(month)
        if name is None:
            name = self.months[month] = DateFormat(datetime.date(2000, month, 1)).M()
        return name


class _Rows:
    """What the two tables' rows need once per page: the words in the request's language and
    the addresses, each reversed once (``_link_maker``)."""

    def __init__(self, *, clinical: bool):
        self.clinical = clinical
        self.statuses = _status_labels()
        self.dates = _Dates()
        self.languages = dict(settings.LANGUAGES)
        self.link = _link_maker("participants:review_detail", "public_id", uuid.UUID(int=0))
        self.timeline = _link_maker("followup:participant_timeline", "pk", 9_876_543_210_123)

    def waiting(self, screening: Screening) -> dict:
        """A waiting screening's row: coordinators read the name, time, languages and status;
        clinicians also the link, safety level and flag counts."""
        language, status = screening.participant_language, screening.status
        row = {
            "name": _full_name(screening.participant_first_name, screening.participant_last_name),
            "submitted": self.dates.time(screening.submitted_at),
            "language": self.languages.get(language, language),
            "records": screening.instrument_records if screening.instrument_languages else (),
            "status": status,
            "status_label": self.statuses.get(status, status),
        }
        if self.clinical:
            severities = [flag.get("severity") for flag in screening.flags]
            row["link"] = self.link(screening.public_id)
            row["safety_level"] = screening.safety_level
            row["flags"] = bool(severities)
            row["absolute"] = severities.count(FlagSeverity.ABSOLUTE)
            row["relative"] = severities.count(FlagSeverity.RELATIVE)
        return row

    def decided(self, screening: Screening) -> dict:
        """A recent decision's row; clinicians also read who decided, with links to the
        screening and to the participant's timeline."""
        status = screening.status
        row = {
            "name": _full_name(screening.participant_first_name, screening.participant_last_name),
            "decided": self.dates.day(screening.decided_at),
            "status": status,
            "status_label": self.statuses.get(status, status),
            "valid_until": self.dates.day(screening.valid_until) or "—",
        }
        if self.clinical:
            row["link"] = self.link(screening.public_id)
            row["timeline_link"] = self.timeline(screening.participant_id)
            row["decided_by"] = (
                _full_name(screening.decided_by_first_name, screening.decided_by_last_name)
                if screening.decided_by_id
                else ""
            )
        return row


def review_queue_rows(
    queue: Iterable[Screening], recent: Iterable[Screening], *, clinical: bool
) -> tuple[list[dict], list[dict]]:
    """The rows of the waiting screenings (``selectors.screening_review_queue``) and of the
    recent decisions (``selectors.screening_recent_decisions``) as the page shows them."""
    rows = _Rows(clinical=clinical)
    return [rows.waiting(s) for s in queue], [rows.decided(s) for s in recent]
