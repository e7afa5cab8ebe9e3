"""Account e-mail (verification, password reset) rendered from text and HTML templates.

Clinic messages about sessions go through the notifications outbox; these are the messages a
person needs to get into their account at all.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def send_templated_email(*, template: str, to: str, context: dict) -> None:
    """Render ``<template>_subject.txt``, ``.txt`` and ``.html`` and send them to one address."""
    context = {"clinic_name": settings.CLINIC_NAME, "site_url": settings.SITE_URL, **context}
    subject = " ".join(render_to_string(f"{template}_subject.txt", context).split())
    text = render_to_string(f"{template}.txt", context)
    html = render_to_string(f"{template}.html", context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=[to])
    message.attach_alternative(html, "text/html")
    message.send()
