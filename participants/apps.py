from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_roles(sender, **kwargs) -> None:
    # post_migrate fires once per installed app; by the last one every app's permissions exist.
    if sender is not list(apps.get_app_configs())[-1]:
        return
    from participants.models import ScreeningPolicy
    from participants.services.accounts import ensure_roles
    from participants.services.checkins import ensure_default_practices
    from participants.services.consent import ensure_default_consent_document
    from participants.services.scoring import ensure_default_flag_rules

    ensure_roles()
    ensure_default_flag_rules()
    ensure_default_consent_document()
    ScreeningPolicy.current()
    ensure_default_practices()


class ParticipantsConfig(AppConfig):
    name = "participants"
    verbose_name = _("Participants and accounts")

    def ready(self) -> None:
        post_migrate.connect(_ensure_roles, dispatch_uid="participants.ensure_roles")
        from participants.services.account_messages import register_kinds

        register_kinds()
