from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    """Running the clinic's installation: backups that restore, retention of what may be purged,
    metrics for monitoring. The top layer beside the demo data: it reads every app, and no app
    imports it."""

    name = "operations"
    verbose_name = _("Operations")
