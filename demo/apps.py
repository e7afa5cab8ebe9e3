from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data for every app (``manage.py seed_demo``): the top layer, imported by nobody."""

    name = "demo"
    verbose_name = _("Demo data")
