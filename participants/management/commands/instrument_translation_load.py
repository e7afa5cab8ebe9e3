"""``manage.py instrument_translation_load FILE [--loaded-by EMAIL]``: load the clinic's
validated translations of PHQ-9, GAD-7 or the C-SSRS screener from a JSON file (format in the
README). A file with any fault is refused whole and nothing of it is saved."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from participants.models import User
from participants.services.instrument_translations import (
    MAX_FILE_BYTES,
    instrument_translations_load,
)


class Command(BaseCommand):
    help = "Load validated translations of PHQ-9, GAD-7 or the C-SSRS screener from a JSON file."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="The translation file (JSON, see the README).")
        parser.add_argument(
            "--loaded-by", default="", help="E-mail of the staff member who loads it."
        )

    def handle(self, *args, file: str, loaded_by: str, **options) -> None:
        path = Path(file)
        try:
            with path.open("rb") as handle:
                content = handle.read(MAX_FILE_BYTES + 1)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
        user = None
        if loaded_by:
            user = User.objects.filter(email__iexact=loaded_by).first()
            if user is None:
                raise CommandError(f"No account has the e-mail {loaded_by}.")
        try:
            loaded = instrument_translations_load(
                content=content, file_name=path.name, loaded_by=user
            )
        except ValidationError as error:
            raise CommandError(
                "The file was not loaded (nothing of it is kept):\n- " + "\n- ".join(error.messages)
            ) from None
        for translation in loaded:
            notice = " (TEST DATA, not the validated text)" if translation.test_data else ""
            self.stdout.write(
                f"Loaded {translation.get_instrument_display()} in {translation.language}, "
                f"version {translation.version}{notice}."
            )
