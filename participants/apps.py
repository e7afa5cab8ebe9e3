from django.apps import AppConfig, apps
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_defaults(sender, **kwargs) -> None:
    # post_migrate fires once per installed app; by the last one every app's permissions exist.
    if sender is not list(apps.get_app_configs())[-1]:
        return
    # start-up: services touch models, which exist only once the app registry is ready.
    from participants.services.defaults import ensure_defaults

    ensure_defaults()


class ParticipantsConfig(AppConfig):
    name = "participants"
    verbose_name = _("Participants and accounts")

    def ready(self) -> None:
        # start-up: these touch models, which exist only once the app registry is ready.
        from participants import message_kinds
        from participants.language import language_keep_choice_at_sign_in  # start-up: as above
        from participants.user_facts import user_facts_receivers_connect  # start-up: as above

        message_kinds.register()
        user_logged_in.connect(
            language_keep_choice_at_sign_in, dispatch_uid="participants.language"
        )
        user_facts_receivers_connect()
        post_migrate.connect(_ensure_defaults, dispatch_uid="participants.ensure_roles")
