"""What every fresh database needs before anyone signs in (run after each ``migrate``)."""

from participants.models import ScreeningPolicy
from participants.services.accounts import ensure_roles
from participants.services.consent import ensure_default_consent_document
from participants.services.scoring import ensure_default_flag_rules


def ensure_defaults() -> None:
    """The role groups and their permissions, the default flag rules, the first consent document
    and the screening policy; never overwrites what the clinic has edited."""
    ensure_roles()
    ensure_default_flag_rules()
    ensure_default_consent_document()
    ScreeningPolicy.current()
