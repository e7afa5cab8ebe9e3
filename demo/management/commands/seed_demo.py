from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.sessions import seed_demo

REFUSAL = (
    "seed_demo creates an admin with a known password and prints every second factor: it runs "
    "only with DEBUG=1 (make run sets it), or with --demo-install on a server that is a demo "
    "and holds no real data."
)


class Command(BaseCommand):
    help = "Load the demo data (idempotent) and print every demo login."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--demo-install",
            action="store_true",
            help="Seed even with DEBUG off: this installation is a demo and holds no real data.",
        )

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG and not options["demo_install"]:
            raise CommandError(REFUSAL)
        result = seed_demo()
        self.stdout.write(
            f"Demo data ready: {result['rooms']} rooms, {result['session_types']} session types, "
            f"{result['sessions_created']} new sessions."
        )
        self.stdout.write(
            self.style.SUCCESS(f"Demo logins (password for all: {result['password']})")
        )
        for account in result["accounts"]:
            note = f" - {account.note}" if account.note else ""
            self.stdout.write(f"  {account.role:<12} {account.email}{note}")
        self.stdout.write(
            self.style.SUCCESS(
                "Staff sign in with a second step: add the key to an authenticator app "
                "(or run: python manage.py totp_code EMAIL), or use a backup code once."
            )
        )
        for email, factor in result["second_factors"].items():
            codes = " ".join(factor["backup_codes"])
            self.stdout.write(f"  {email:<28} key {factor['secret']}  backup codes {codes}")
