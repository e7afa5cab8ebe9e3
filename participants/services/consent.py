"""Informed consent: publishing the first text in each language and signing the current version
(which version is current, and which language's text a participant reads, is
``selectors.consent_document_current``'s to say).

The default texts are the clinic's own document, kept as data in each language: they are not in
the translation catalogue, and a published text is never changed (publish a new version)."""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from participants.language import language_of
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


DEFAULT_CONSENT_TITLE_ES = "Consentimiento informado para la terapia grupal asistida con ketamina"
DEFAULT_CONSENT_BODY_ES = """\
Este documento explica el programa grupal de Journease para que usted pueda decidir si desea participar. Léalo con atención y pregúntenos sobre cualquier cosa que no le quede clara.

En qué consiste el programa. El programa combina círculos de preparación, sesiones grupales con supervisión médica en las que un profesional clínico le administra ketamina, y círculos de integración. La ketamina se usa para la depresión y afecciones relacionadas fuera de las indicaciones aprobadas en su etiqueta (uso "off-label"); no es una cura y no ayuda a todas las personas.

Qué sucede en una sesión con ketamina. Un profesional que receta medicamentos y un enfermero o una enfermera permanecen con el grupo durante toda la sesión. Se revisan su presión arterial y su bienestar antes, durante y después de la sesión. No debe comer nada durante las 4 horas anteriores ni tomar alcohol el día anterior, y debe regresar a casa con una persona de su confianza que maneje. Durante el resto del día no debe manejar ni tomar decisiones importantes.

Posibles efectos. Entre los efectos comunes están una sensación de desconexión o de estar soñando, cambios en la percepción, náuseas, mareos, aumento de la presión arterial y del ritmo cardíaco, y cansancio. En raras ocasiones, algunas personas sienten ansiedad o miedo durante una sesión; el equipo está ahí para ayudarle. El uso indebido y frecuente de la ketamina puede dañar la vejiga y la memoria, y puede causar dependencia.

Privacidad del grupo. Usted se compromete a mantener en confidencialidad lo que otros participantes compartan en el grupo. Nunca mostramos su nombre ni sus datos de contacto a otros participantes.

Sus decisiones. Su participación es voluntaria. Puede dejar de participar en cualquier momento, incluso durante una sesión, sin que esto afecte la atención que recibe en otros lugares. Avise al equipo de inmediato si hay cambios en su salud, en sus medicamentos o en su estado de embarazo.

Su seguridad entre sesiones. Nuestros mensajes y formularios no se revisan en tiempo real. Si está en crisis o tiene pensamientos suicidas, llame o envíe un mensaje de texto al 988, la Línea 988 de Prevención del Suicidio y Crisis, a cualquier hora: para recibir ayuda en español, llame al 988 y oprima el 2, o envíe la palabra AYUDA al 988. En caso de emergencia, llame al 911.

Al firmar, usted confirma que ha leído este documento, que se han respondido sus preguntas y que acepta participar en el programa grupal.
"""

# The first consent, version 1, in every language it is written in: (title, body).
DEFAULT_CONSENT_TEXTS = {
    "en": (DEFAULT_CONSENT_TITLE, DEFAULT_CONSENT_BODY),
    "es": (DEFAULT_CONSENT_TITLE_ES, DEFAULT_CONSENT_BODY_ES),
}


class ConsentRefused(Exception):
    """Signing was not possible; ``str()`` says why."""


def ensure_default_consent_document(*, now: datetime.datetime | None = None) -> None:
    """Publish the first consent, version 1, in every language it is written in when no consent
    exists; and add a language's text of it that is missing while version 1 is still the
    default English text (a database made before the translation). Never touches a clinic's own
    text: a version 1 the clinic wrote gets no translation of a different document. Safe to run
    any number of times."""
    now = now or timezone.now()
    first = ConsentDocument.objects.filter(version=1, language=settings.LANGUAGE_CODE).first()
    if first is None and ConsentDocument.objects.exists():
        return
    if first is not None and (first.title, first.body) != DEFAULT_CONSENT_TEXTS[first.language]:
        return
    for language, (title, body) in DEFAULT_CONSENT_TEXTS.items():
        ConsentDocument.objects.get_or_create(
            version=1,
            language=language,
            defaults={"title": title, "body": body, "published_at": now},
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
    """Sign the current version in the text the participant is shown: their language's when that
    version is published in it, else the clinic's. The typed name must be the account's full name
    (any case) and the agreement ticked. A version already signed, in any language, returns that
    first signature: the record keeps the language (the document's) the person read."""
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
    current = consent_document_current(now=now, language=language_of(participant))
    if current is None or current.version != document.version:
        raise ConsentRefused(_("A newer version of the consent was published: please read it."))
    existing = (
        ConsentSignature.objects.filter(participant=participant, document__version=document.version)
        .order_by("signed_at", "pk")
        .first()
    )
    if existing is not None:
        return existing  # this version is signed, in whichever language it was read
    if current.pk != document.pk:
        raise ConsentRefused(
            _("The consent is now shown in your language: please read it before you sign.")
        )
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
    logger.info(
        "consent signed user_id=%s version=%s language=%s",
        participant.pk,
        document.version,
        document.language,
    )
    return signature
