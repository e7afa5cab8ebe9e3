"""Apply the retention policies now, or with ``--dry-run`` show what they would purge."""

from django.core.management.base import BaseCommand

from operations.models import RetentionKind
from operations.services.retention import retention_apply


class Command(BaseCommand):
    help = (
        "Apply every retention policy (Django admin: Operations > Retention policies), as the "
        "daily task does, and write one audit row with the counts. With --dry-run, only count "
        "what would be purged. Clinical records and the audit log are never purged."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count what would be purged; change nothing.",
        )

    def handle(self, *args, dry_run: bool = False, **options) -> None:
        outcomes = retention_apply(dry_run=dry_run)
        verb = "would purge" if dry_run else "purged"
        for outcome in outcomes:
            label = RetentionKind(outcome.kind).label
            if outcome.purged is None:
                self.stdout.write(f"{label}: kept indefinitely (no policy days)")
            else:
                self.stdout.write(
                    f"{label}: {verb} {outcome.purged} (older than {outcome.days} days)"
                )
        if dry_run:
            self.stdout.write("Dry run: nothing was changed.")
