"""``manage.py backup``: a PostgreSQL dump with its manifest, in the backup folder."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.backup import BackupRefused, backup_create


class Command(BaseCommand):
    help = (
        "Dump the PostgreSQL database (pg_dump, custom format) into the backup folder "
        "(JOURNEASE_BACKUP_DIR, default var/backups), with a manifest beside it: time, version, "
        "migrations, rows per table, the dump's SHA-256 and the clinical tables' checksum. "
        "Copy both files off the machine, encrypted."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--folder", type=Path, help="Write here instead of the configured backup folder."
        )

    def handle(self, *args, folder: Path | None, **options) -> None:
        try:
            result = backup_create(folder=folder)
        except BackupRefused as refused:
            raise CommandError(str(refused)) from None
        self.stdout.write(f"Dump:     {result.dump}")
        self.stdout.write(f"Manifest: {result.manifest}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Backed up {result.tables} tables; clinical checksum {result.clinical_checksum}."
            )
        )
