from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SessionsAppConfig(AppConfig):
    name = "sessions_app"
    verbose_name = _("Group sessions")

    def ready(self) -> None:
        # start-up: each of these touches models, which exist only once the app registry is ready.
        from participants.selectors import register_step_after_consent  # start-up
        from sessions_app import exports, message_kinds  # start-up
        from sessions_app.services.eligibility import participant_step_after_consent  # start-up

        message_kinds.register()
        exports.register()
        register_step_after_consent(participant_step_after_consent)
