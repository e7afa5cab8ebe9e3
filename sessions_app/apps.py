from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SessionsAppConfig(AppConfig):
    name = "sessions_app"
    verbose_name = _("Group sessions")

    def ready(self) -> None:
        from participants.selectors import register_step_after_consent
        from sessions_app import exports
        from sessions_app.services.eligibility import participant_step_after_consent

        exports.register()
        register_step_after_consent(participant_step_after_consent)
