from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SessionsAppConfig(AppConfig):
    name = "sessions_app"
    verbose_name = _("Group sessions")

    def ready(self) -> None:
        from sessions_app import exports

        exports.register()
