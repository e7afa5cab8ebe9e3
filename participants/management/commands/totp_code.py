import time

from django.core.management.base import BaseCommand, CommandError
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Print the current authenticator code of a demo staff account (development only)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("email")

    def handle(self, *args, email: str, **options) -> None:
        from django.conf import settings

        if not settings.DEBUG:
            raise CommandError(
                "totp_code is for development only: run it with DEBUG=1 "
                "(DEBUG=1 .venv/bin/python manage.py totp_code <e-mail>)."
            )
        device = TOTPDevice.objects.filter(user__email__iexact=email, confirmed=True).first()
        if device is None:
            raise CommandError(f"No authenticator is set up for {email}.")
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        self.stdout.write(
            f"{code:0{device.digits}d}  (valid for {device.step - int(time.time()) % device.step} s)"
        )
