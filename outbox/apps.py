from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutboxConfig(AppConfig):
    """The message engine: every message is a row here before it is sent.

    It knows recipients, kinds, channels and subjects, never what a session or a screening is:
    each app above registers its own kinds (``outbox.kinds``) and how its subjects read.
    """

    name = "outbox"
    verbose_name = _("Messages")
