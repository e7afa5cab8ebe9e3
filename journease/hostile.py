"""Input that does not come through a form: query strings, webhook fields, URL parts.

Forms refuse bad values at their fields. Everything else a view reads goes through these helpers,
so a hostile value is either ignored (a filter that matches nothing) or refused with a 400, and
never reaches the database or date arithmetic as it came:

- a NUL byte (PostgreSQL refuses it in text, and raises rather than matching nothing);
- digits that are not ASCII (``"²".isdigit()`` is true, ``int("²")`` fails) and numbers too big
  for a 64-bit column;
- dates so near year 1 or 9999 that a week or a month beside them does not exist.
"""

import datetime

from django.core.exceptions import BadRequest, ValidationError
from django.utils.translation import gettext_lazy as _

NUL = "\x00"
# The largest value a BigAutoField (the project's primary keys) holds.
MAX_ID = 2**63 - 1

# Dates the calendar pages and the scheduling forms accept: wide enough for any real session,
# far enough from the ends of Python's calendar that weeks and months around them exist.
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2999, 12, 31)

DATE_RANGE_MESSAGE = _("Choose a date between %(earliest)s and %(latest)s.")


def date_range_message() -> str:
    return DATE_RANGE_MESSAGE % {
        "earliest": EARLIEST_DATE.isoformat(),
        "latest": LATEST_DATE.isoformat(),
    }


def validate_date_in_range(value: datetime.date) -> None:
    """A form date field's validator: the same range as the calendar pages."""
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(
            DATE_RANGE_MESSAGE,
            code="date_range",
            params={"earliest": EARLIEST_DATE.isoformat(), "latest": LATEST_DATE.isoformat()},
        )


def parse_id(value: str | None) -> int | None:
    """A primary key from text: ASCII digits only, within a 64-bit column; otherwise None."""
    if value is None:
        return None
    value = value.strip()
    if not value or not value.isascii() or not value.isdigit() or len(value) > 19:
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def refuse_nul(querydict) -> None:
    """A 400 when any name or value of a query string (or a non-form body) holds a NUL byte."""
    for key, values in querydict.lists():
        if NUL in key or any(NUL in value for value in values):
            raise BadRequest("NUL byte in the query")


def query_text(request, name: str, *, max_length: int = 200) -> str:
    """A free-text query value (a search): a NUL byte is a 400; it is cut at ``max_length``."""
    value = request.GET.get(name, "")
    if NUL in value:
        raise BadRequest(f"NUL byte in {name}")
    return value[:max_length]


def query_date(request, name: str, default: datetime.date) -> datetime.date:
    """A date from the query (ISO 8601): anything unreadable is ``default``; a real date outside
    ``EARLIEST_DATE``-``LATEST_DATE`` is a 400, since no page can show the weeks around it."""
    value = request.GET.get(name)
    if not value or NUL in value:
        return default
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        return default
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise BadRequest(str(date_range_message()))
    return day
