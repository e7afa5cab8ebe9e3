"""The Spanish test-data translations (never the validated wording) and ways to load them."""

import copy
import json
from pathlib import Path

from participants.services.instrument_translations import instrument_translations_load

FIXTURE = (
    Path(__file__).resolve().parent.parent
    / "fixtures"
    / "instrument_translations_es_test_data.json"
)


def fixture_translations() -> list[dict]:
    """The fixture's entries (PHQ-9, GAD-7 and the C-SSRS screener in Spanish, test data)."""
    return json.loads(FIXTURE.read_text(encoding="utf-8"))


def as_file(entries) -> bytes:
    return json.dumps(entries, ensure_ascii=False).encode("utf-8")


def load_test_translations(instruments=("phq9", "gad7", "cssrs"), **changes) -> list:
    entries = [
        {**copy.deepcopy(entry), **changes}
        for entry in fixture_translations()
        if entry["instrument"] in instruments
    ]
    return instrument_translations_load(content=as_file(entries), file_name="test.json")
