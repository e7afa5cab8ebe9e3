"""The retention path for clinical records: remove named records deliberately, each one audited."""

from django.core.management.base import BaseCommand, CommandError

from participants.models import User
from participants.services.retention import (
    CLINICAL_MODELS,
    PurgeRefused,
    clinical_model,
    clinical_record_purge,
)


class Command(BaseCommand):
    help = (
        "Remove clinical records (retention, or a record made in error): named one by one, by an "
        "admin, with a reason; each removal is written to the audit log. Django admin never "
        "deletes clinical records."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--model",
            required=True,
            help=f"The kind of record: {', '.join(sorted(CLINICAL_MODELS))}.",
        )
        parser.add_argument(
            "--id",
            dest="ids",
            action="append",
            required=True,
            help="The record's id as the audit log and admin show it (its public id, or its "
            "number for consent signatures); repeat for several.",
        )
        parser.add_argument(
            "--reason", required=True, help="Why they are removed; kept in the audit log."
        )
        parser.add_argument(
            "--actor", required=True, help="The e-mail of the admin who removes them."
        )
        parser.add_argument(
            "--yes",
            action="store_true",
            help="Do not ask for confirmation (for a reviewed script).",
        )

    def handle(self, *args, model: str, ids: list[str], reason: str, actor: str, **options):
        user = User.objects.filter(email__iexact=actor.strip()).first()
        if user is None:
            raise CommandError(f"No account with the e-mail {actor!r}.")
        try:
            kind = clinical_model(model)._meta.verbose_name
        except PurgeRefused as refused:
            raise CommandError(str(refused)) from None
        if not options["yes"]:
            self.stdout.write(
                f"This removes {len(ids)} {kind} record(s) for good, as {user.email}, because: "
                f"{reason.strip()}"
            )
            try:
                answer = input("Type 'purge' to go on: ")
            except EOFError:  # no terminal: a script says --yes
                answer = ""
            if answer.strip() != "purge":
                raise CommandError("Nothing removed.")
        try:
            purged = clinical_record_purge(model=model, ids=ids, reason=reason, actor=user)
        except PurgeRefused as refused:
            raise CommandError(f"{refused} Nothing removed.") from None
        for record in purged:
            self.stdout.write(f"Removed {record.record_type} {record.record_id} (audited).")
