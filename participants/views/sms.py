"""The SMS provider's inbound webhook: a STOP reply turns text messages off."""

import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from phonenumber_field.phonenumber import PhoneNumber, to_python

from participants.services.sms_replies import STOP_WORDS, sms_opt_out


@csrf_exempt
@require_POST
def inbound(request: HttpRequest) -> HttpResponse:
    """Accepts ``From`` and ``Body`` form fields with ``Authorization: Bearer <SMS_INBOUND_TOKEN>``."""
    expected = settings.SMS_INBOUND_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not expected or not hmac.compare_digest(given, expected):
        return HttpResponse(status=403)
    phone = to_python(request.POST.get("From", ""))
    # An empty or missing sender comes back as text, not a number.
    if not isinstance(phone, PhoneNumber) or not phone.is_valid():
        return HttpResponse(status=400)
    words = request.POST.get("Body", "").strip().upper().split()
    if words and words[0] in STOP_WORDS:
        sms_opt_out(phone=phone.as_e164)
    return HttpResponse(status=204)
