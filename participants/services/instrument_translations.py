"""Loading the clinic's validated translations of PHQ-9, GAD-7 and the C-SSRS screener.

The clinic supplies the published text with its source and version as a JSON file (the format
is in the README). A file is checked whole before anything is saved: any fault refuses the file
with a message that names it, and nothing of it is kept.
"""

import datetime
import json
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from participants.instruments.translations import ENGLISH_TEXTS, INSTRUMENTS, ORIGINAL_LANGUAGE
from participants.models import InstrumentTranslation, User

logger = logging.getLogger(__name__)

MAX_FILE_BYTES = 1_000_000
REQUIRED_FIELDS = ("instrument", "language", "source", "version", "texts")
OPTIONAL_FIELDS = ("test_data",)
MAX_TEXT_CHARS = 2000


def _keys(keys) -> str:
    return ", ".join(sorted(keys))


def _entry_errors(entry, where: str) -> list[str]:
    """What is wrong with one translation of the file, each message naming ``where``."""
    if not isinstance(entry, dict):
        return [_("%(where)s: a translation is an object with named fields.") % {"where": where}]
    errors = []
    missing = [name for name in REQUIRED_FIELDS if name not in entry]
    unknown = set(entry) - set(REQUIRED_FIELDS) - set(OPTIONAL_FIELDS)
    if missing:
        errors.append(
            _("%(where)s: missing fields: %(names)s.") % {"where": where, "names": _keys(missing)}
        )
    if unknown:
        errors.append(
            _("%(where)s: unknown fields: %(names)s.") % {"where": where, "names": _keys(unknown)}
        )
    instrument = entry.get("instrument")
    if "instrument" in entry and instrument not in INSTRUMENTS:
        errors.append(
            _("%(where)s: the instrument must be one of %(names)s.")
            % {"where": where, "names": ", ".join(INSTRUMENTS)}
        )
    languages = [code for code, _name in settings.LANGUAGES if code != ORIGINAL_LANGUAGE]
    if "language" in entry and entry.get("language") not in languages:
        errors.append(
            _("%(where)s: the language must be one of %(codes)s (English is the original).")
            % {"where": where, "codes": ", ".join(languages)}
        )
    for name, limit in (("source", 2000), ("version", 100)):
        value = entry.get(name)
        if name in entry and (not isinstance(value, str) or not value.strip()):
            errors.append(
                _("%(where)s: “%(name)s” must be a text.") % {"where": where, "name": name}
            )
        elif isinstance(value, str) and len(value) > limit:
            errors.append(
                _("%(where)s: “%(name)s” is longer than %(limit)s characters.")
                % {"where": where, "name": name, "limit": limit}
            )
    if not isinstance(entry.get("test_data", False), bool):
        errors.append(_("%(where)s: “test_data” must be true or false.") % {"where": where})
    texts = entry.get("texts")
    if "texts" in entry and not isinstance(texts, dict):
        errors.append(_("%(where)s: “texts” must be an object of texts.") % {"where": where})
    elif isinstance(texts, dict) and instrument in INSTRUMENTS:
        errors += _texts_errors(texts, ENGLISH_TEXTS[instrument], where)
    return errors


def _texts_errors(texts: dict, english: dict, where: str) -> list[str]:
    """The texts hold exactly the English instrument's keys, each a non-empty text."""
    errors = []
    missing, extra = set(english) - set(texts), set(texts) - set(english)
    if missing:
        errors.append(
            _("%(where)s: missing texts: %(keys)s.") % {"where": where, "keys": _keys(missing)}
        )
    if extra:
        errors.append(
            _("%(where)s: texts the instrument does not have: %(keys)s.")
            % {"where": where, "keys": _keys(extra)}
        )
    empty = [
        key
        for key, value in texts.items()
        if key in english
        and (not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT_CHARS)
    ]
    if empty:
        errors.append(
            _("%(where)s: these texts are empty, too long or not text: %(keys)s.")
            % {"where": where, "keys": _keys(empty)}
        )
    return errors


def instrument_translation_file_read(content: bytes) -> list[dict]:
    """The translations of a file (one object, or a list of them), all checked.

    Raises ``ValidationError`` listing every fault; a file with any fault gives nothing.
    """
    if len(content) > MAX_FILE_BYTES:
        raise ValidationError(_("The file is larger than 1 MB: is it the right file?"))
    try:
        data = json.loads(content.decode("utf-8"))
    except UnicodeDecodeError:
        raise ValidationError(_("The file is not UTF-8 text.")) from None
    except json.JSONDecodeError as error:
        raise ValidationError(
            _("The file is not valid JSON (line %(line)s, column %(column)s).")
            % {"line": error.lineno, "column": error.colno}
        ) from None
    entries = data if isinstance(data, list) else [data]
    if not entries:
        raise ValidationError(_("The file holds no translation."))
    errors, seen = [], set()
    for number, entry in enumerate(entries, start=1):
        name = entry.get("instrument") if isinstance(entry, dict) else None
        where = _("Translation %(number)s (%(instrument)s)") % {
            "number": number,
            "instrument": name if isinstance(name, str) else "?",
        }
        errors += _entry_errors(entry, where)
        if isinstance(entry, dict):
            pair = (entry.get("instrument"), entry.get("language"))
            if pair in seen:
                errors.append(
                    _("%(where)s: this instrument and language come twice.") % {"where": where}
                )
            seen.add(pair)
    if errors:
        raise ValidationError(errors)
    return entries


def instrument_translations_load(
    *,
    content: bytes,
    file_name: str = "",
    loaded_by: User | None = None,
    now: datetime.datetime | None = None,
) -> list[InstrumentTranslation]:
    """Load every translation of a file, or none of them: each becomes the active one for its
    instrument and language, and the one it replaces is kept, inactive, for the record."""
    entries = instrument_translation_file_read(content)
    now = now or timezone.now()
    loaded = []
    with transaction.atomic():
        for entry in entries:
            current = InstrumentTranslation.objects.select_for_update().filter(
                instrument=entry["instrument"], language=entry["language"], is_active=True
            )
            current.update(is_active=False)
            loaded.append(
                InstrumentTranslation.objects.create(
                    instrument=entry["instrument"],
                    language=entry["language"],
                    texts={key: entry["texts"][key] for key in ENGLISH_TEXTS[entry["instrument"]]},
                    source=entry["source"].strip(),
                    version=entry["version"].strip(),
                    test_data=entry.get("test_data", False),
                    file_name=file_name[:255],
                    loaded_by=loaded_by,
                    loaded_at=now,
                )
            )
    for translation in loaded:
        logger.info(
            "instrument translation loaded id=%s instrument=%s language=%s test_data=%s",
            translation.pk,
            translation.instrument,
            translation.language,
            translation.test_data,
        )
    return loaded


def instrument_translation_withdraw(*, translation: InstrumentTranslation) -> None:
    """Stop showing a translation (loaded by mistake); screenings answered in it keep its name."""
    InstrumentTranslation.objects.filter(pk=translation.pk).update(is_active=False)
