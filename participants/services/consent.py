"""Informed consent: publishing the first text and signing the current one (which one is current
is ``selectors.consent_document_current``'s to say)."""

import datetime
import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from participants.models import ConsentDocument, ConsentSignature, User
from participants.selectors import consent_document_current

logger = logging.getLogger(__name__)

DEFAULT_CONSENT_TITLE = "Informed consent for group ketamine-assisted therapy"
DEFAULT_CONSENT_BODY = """\
This document explains the group program at Journease so that you can decide whether to take part. Please read it carefully and ask us about anything that is not clear.

What the program is. The program combines preparation circles, medically monitored group sessions in which a clinician gives you ketamine, and integration circles. Ketamine is used off-label for depression and related conditions; it is not a cure and it does not help everyone.

What happens during a dosing session. A prescriber and a nurse stay with the group throughout. Your blood pressure and wellbeing are checked before, during and after the session. You must not eat for 4 hours before, must not drink alcohol the day before, and someone you trust must drive you home. You must not drive or make important decisions for the rest of the day.

Possible effects. Common effects include feeling detached or dreamlike, changes in perception, nausea, dizziness, raised blood pressure and heart rate, and tiredness. Rarely, people feel anxious or frightened during a session; the team is there to help. Frequent misuse of ketamine can harm the bladder and memory and can lead to dependence.

Group privacy. You agree to keep what other participants share in the group confidential. We never show your name or contact details to other participants.

Your choices. Taking part is voluntary. You may stop at any time, including during a session, without it affecting the care you receive elsewhere. Tell the team at once if your health, medicines or pregnancy status change.

Safety between sessions. Our messages and forms are not monitored in real time. If you are in crisis or thinking about suicide, call or text 988 at any time. In an emergency, call 911.

By signing, you confirm that you have read this document, that your questions have been answered, and that you agree to take part in the group program.
"""


class ConsentRefused(Exception):
    """Signing was not possible; ``str()`` says why."""


def ensure_default_consent_document() -> None:
    """Publish a first consent text when none exists; safe to run any number of times."""
    if not ConsentDocument.objects.exists():
        ConsentDocument.objects.get_or_create(
            version=1,
            defaults={
                "title": DEFAULT_CONSENT_TITLE,
                "body": DEFAULT_CONSENT_BODY,
                "published_at": timezone.now(),
            },
        )


def _normalised(name: str) -> str:
    return " ".join(name.split()).casefold()


def consent_sign(
    *,
    participant: User,
    document: ConsentDocument,
    typed_name: str,
    agreed: bool,
    ip_address: str | None,
    user_agent: str,
    now: datetime.datetime | None = None,
) -> ConsentSignature:
    """Sign the current version: the typed name must be the account's full name (any case) and
    the agreement ticked. Signing a version twice returns the first signature."""
    now = now or timezone.now()
    errors = {}
    if _normalised(typed_name) != _normalised(participant.get_full_name()):
        errors["typed_name"] = _("Type your full name as on your account: %(name)s.") % {
            "name": participant.get_full_name()
        }
    if not agreed:
        errors["agree"] = _("Please tick to confirm that you agree.")
    if errors:
        raise ValidationError(errors)
    current = consent_document_current(now=now)
    if current is None or current.pk != document.pk:
        raise ConsentRefused(_("A newer version of the consent was published: please read it."))
    existing = ConsentSignature.objects.filter(participant=participant, document=document).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            signature = ConsentSignature.objects.create(
                participant=participant,
                document=document,
                typed_name=" ".join(typed_name.split()),
                signed_at=now,
                ip_address=ip_address or None,
                user_agent=(user_agent or "")[:500],
            )
    except IntegrityError:
        return ConsentSignature.objects.get(participant=participant, document=document)
    logger.info("consent signed user_id=%s version=%s", participant.pk, document.version)
    return signature
