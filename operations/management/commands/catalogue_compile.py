"""Compile the Spanish catalogue (``locale/es/LC_MESSAGES/django.po``) into the ``.mo`` Django reads.

Pure Python (Babel): no gettext tools needed. ``make messages`` runs it after extracting.
"""

from django.core.management.base import BaseCommand

from operations.catalogue import catalogue_path, compile_catalogue


class Command(BaseCommand):
    help = "Compile locale/es/LC_MESSAGES/django.po into django.mo, in pure Python."

    def add_arguments(self, parser):
        parser.add_argument("--language", default="es")

    def handle(self, *args, language: str, **options):
        target = catalogue_path(language).with_suffix(".mo")
        target.write_bytes(compile_catalogue(language))
        self.stdout.write(f"Wrote {target.name} for {language}.")
