"""An e-mail backend for measuring: each message is built to the bytes SMTP would send, then
dropped, so delivery costs what it costs without 10,000 messages piling up in memory."""

from django.core.mail.backends.base import BaseEmailBackend


class DiscardingEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            message.message().as_bytes(linesep="\r\n")
        return len(email_messages)
