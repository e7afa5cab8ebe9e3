"""The participant's right of access: download everything we hold, or close the account."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET

from participants import forms
from participants.access import participant_required
from participants.services import data_export
from participants.services.audit import audit_data_export


@participant_required
@sensitive_post_parameters("password")
def my_data(request: HttpRequest) -> HttpResponse:
    form = forms.AccountCloseForm(request.user, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            data_export.participant_account_close(participant=request.user)
        except data_export.AccountCloseRefused as error:
            form.add_error(None, str(error))
        else:
            logout(request)
            messages.info(
                request,
                _("Your account is closed. We keep your records as the law requires. Thank you."),
            )
            return redirect("home")
    return render(request, "participants/my_data.html", {"form": form})


@participant_required
@require_GET
def my_data_json(request: HttpRequest) -> HttpResponse:
    data = data_export.participant_data_json(participant=request.user)
    audit_data_export(request=request)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
    )
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="journease-my-data-{day}.json"'
    response["Cache-Control"] = "no-store"
    return response


@participant_required
@require_GET
def my_data_document(request: HttpRequest) -> HttpResponse:
    sections = data_export.participant_data(participant=request.user)
    audit_data_export(request=request)
    response = render(
        request,
        "participants/my_data_document.html",
        {"sections": sections, "exported_at": timezone.localtime()},
    )
    response["Cache-Control"] = "no-store"
    return response
