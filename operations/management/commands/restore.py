"""``manage.py restore DUMP --target NAME``: load a backup into a new or empty database and check
it against its manifest."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from operations.backup import BackupRefused
from operations.restore import backup_restore


class Command(BaseCommand):
    help = (
        "Restore a dump made by `manage.py backup` into a new or empty PostgreSQL database (on "
        "the server DATABASE_URL names, with its account), then compare rows per table and the "
        "clinical checksum with the manifest beside the dump. Exits non-zero on any difference."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("dump", type=Path, help="The .dump file (its .json manifest beside).")
        parser.add_argument(
            "--target",
            required=True,
            help="The database to restore into: a new name, or an existing empty database.",
        )

    def handle(self, *args, dump: Path, target: str, **options) -> None:
        try:
            report = backup_restore(dump=dump, target=target)
        except BackupRefused as refused:
            raise CommandError(str(refused)) from None
        made = "created" if report.created else "empty before"
        if report.problems:
            raise CommandError(
                f"Restored into {report.target} ({made}), but it does not match the backup's "
                "manifest; do not use it:\n"
                + "\n".join(f"- {problem}" for problem in report.problems)
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored {dump} into {report.target} ({made}): the dump's SHA-256, the rows of "
                "every table and the clinical checksum match the manifest."
            )
        )
