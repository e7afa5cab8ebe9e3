from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FollowUpConfig(AppConfig):
    """Integration follow-up: check-ins after an attended dosing session, progress, outcomes.

    It reads sessions and people and is read by neither: attendance tells it that a seat was
    attended (``sessions_app.signals.attendance_recorded``), and the pages below it ask for what
    it shows through the hooks they offer.
    """

    name = "followup"
    verbose_name = _("Integration follow-up")

    def ready(self) -> None:
        # start-up: these touch models, which exist only once the app registry is ready.
        from followup import contributions, message_kinds, receivers

        message_kinds.register()
        contributions.register()
        receivers.connect()
