"""The participant's program: /me/, the screening questionnaire and the consent.

A participant reaches only their own screenings: every lookup filters on ``request.user``, so
someone else's id is a 404, never a 403 that would confirm it exists.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from journease.clinic_time import local
from participants import forms, selectors
from participants.access import participant_required
from participants.instruments import SECTIONS, SECTIONS_BY_SLUG
from participants.language import language_of
from participants.models import AuditAction, SafetyLevel, Screening, ScreeningStatus
from participants.request_info import client_ip, user_agent
from participants.services import consent, interpreter
from participants.services import screening as screening_service
from participants.services.audit import audit_own_record, audit_record
from participants.services.scoring import is_crisis


def _own_screening(request: HttpRequest, public_id) -> Screening:
    return get_object_or_404(Screening, public_id=public_id, participant=request.user)


def _screenings_shown(screenings: list[Screening]) -> list[dict]:
    """Each screening as My program lists it, written here once rather than per row."""
    labels, day = dict(ScreeningStatus.choices), _("j F Y")
    return [
        {
            "url": reverse("participants:screening_detail", kwargs={"public_id": s.public_id}),
            "started": _("Started %(day)s") % {"day": date_format(local(s.created_at), day)},
            "status": s.status,
            "label": labels[s.status],
        }
        for s in screenings
    ]


@participant_required
def me(request: HttpRequest) -> HttpResponse:
    """The participant's next step, always visible, with screening status and validity."""
    overview = selectors.program_overview(participant=request.user)
    return render(
        request,
        "participants/me.html",
        {
            **overview,
            "screenings_shown": _screenings_shown(overview["screenings"]),
            **selectors.program_parts(participant=request.user),
        },
    )


@participant_required
@require_POST
def screening_start(request: HttpRequest) -> HttpResponse:
    try:
        screening = screening_service.screening_start(participant=request.user)
    except screening_service.ScreeningRefused as error:
        messages.info(request, str(error))
        return redirect("participants:me")
    return redirect("participants:screening_detail", public_id=screening.public_id)


@participant_required
def screening_detail(request: HttpRequest, public_id) -> HttpResponse:
    """A draft's sections (done or to do) and the submit button; later, its status."""
    screening = _own_screening(request, public_id)
    audit_record(request=request, action=AuditAction.VIEW, record=screening)
    done = screening_service.screening_sections_done(screening)
    sections = [(section, section.slug in done) for section in SECTIONS]
    awaiting = screening.instruments_awaiting_interpreter
    return render(
        request,
        "participants/screening_detail.html",
        {
            "screening": screening,
            "sections": sections,
            "awaiting": awaiting,
            "all_done": len(done) == len(SECTIONS),
            "next_section": next((s for s, is_done in sections if not is_done), None),
            # Until a clinician has decided, the crisis resources stay in view.
            "show_crisis": screening.safety_level == SafetyLevel.ALERT
            and screening.status in (ScreeningStatus.DRAFT, ScreeningStatus.SUBMITTED),
        },
    )


@participant_required
@sensitive_post_parameters()  # answers and notes are PHI: never in error reports
def screening_section(request: HttpRequest, public_id, slug: str) -> HttpResponse:
    screening = _own_screening(request, public_id)
    section = SECTIONS_BY_SLUG.get(slug)
    if section is None:
        raise Http404
    if not screening.is_draft:
        return redirect("participants:screening_detail", public_id=screening.public_id)
    index = SECTIONS.index(section)
    # PHQ-9, GAD-7 and the C-SSRS screener: English, a loaded validated translation, or a
    # clinician with an interpreter (never a translation of our own).
    wording = selectors.section_wording(section=section, language=translation.get_language())
    form = forms.ScreeningSectionForm(
        request.POST if request.method == "POST" else None,
        section=wording.section,
        last=index == len(SECTIONS) - 1,
        initial=screening.answers,
    )
    if request.method == "POST" and wording.interpreter_needed:
        interpreter.screening_defer_to_interpreter(
            screening=screening, slug=slug, language=wording.language
        )
        audit_record(request=request, action=AuditAction.UPDATE, record=screening)
        return _after_section(screening, index)
    if request.method == "POST":
        valid = form.is_valid()
        # Valid answers are kept even when others are wrong, so nothing typed is lost.
        level = screening_service.screening_save_section(
            screening=screening, slug=slug, values=form.answers(), wording=wording
        )
        audit_record(request=request, action=AuditAction.UPDATE, record=screening)
        if valid:
            # Crisis resources at once when this section's own answers raise the alert.
            if level == SafetyLevel.ALERT and is_crisis(form.answers()):
                return redirect("participants:screening_support", public_id=screening.public_id)
            return _after_section(screening, index)
        screening.safety_level = level
    else:
        audit_record(request=request, action=AuditAction.VIEW, record=screening)
    return render(
        request,
        "participants/screening_section.html",
        {
            "screening": screening,
            "section": wording.section,
            "wording": wording,
            "form": form,
            "number": index + 1,
            "count": len(SECTIONS),
            "previous": SECTIONS[index - 1] if index else None,
            "show_crisis": screening.safety_level == SafetyLevel.ALERT,
        },
    )


def _after_section(screening: Screening, index: int) -> HttpResponse:
    """The next section, or the list of sections after the last one."""
    if index + 1 < len(SECTIONS):
        return redirect(
            "participants:screening_section",
            public_id=screening.public_id,
            slug=SECTIONS[index + 1].slug,
        )
    return redirect("participants:screening_detail", public_id=screening.public_id)


@participant_required
def screening_support(request: HttpRequest, public_id) -> HttpResponse:
    """Crisis resources, shown at once after a safety answer; the alert is already raised."""
    screening = _own_screening(request, public_id)
    done = screening_service.screening_sections_done(screening)
    next_section = next((s for s in SECTIONS if s.slug not in done), None)
    return render(
        request,
        "participants/screening_support.html",
        {"screening": screening, "next_section": next_section if screening.is_draft else None},
    )


@participant_required
@require_POST
def screening_submit(request: HttpRequest, public_id) -> HttpResponse:
    screening = _own_screening(request, public_id)
    try:
        screening_service.screening_submit(screening=screening)
    except screening_service.ScreeningRefused as error:
        messages.error(request, str(error))
    else:
        audit_record(request=request, action=AuditAction.SUBMIT, record=screening)
        messages.success(request, _("Thank you. A clinician will review your screening."))
    return redirect("participants:screening_detail", public_id=screening.public_id)


@participant_required
@sensitive_post_parameters()  # answers and notes are PHI: never in error reports
def consent_sign(request: HttpRequest) -> HttpResponse:
    """The current consent in the participant's language (the clinic's, with a notice, while it
    is not published in theirs), and signing the text the page showed."""
    language = language_of(request.user)
    document = selectors.consent_document_current(language=language)
    if document is None:
        raise Http404
    signature = selectors.consent_signature_current(participant=request.user)
    form = forms.ConsentSignForm(
        request.POST if request.method == "POST" else None, initial={"document": document.pk}
    )
    if request.method == "POST" and signature is None and form.is_valid():
        if form.cleaned_data["document"] != document.pk:
            # A new version, or the text in their language, was published since the page was
            # read: nobody signs a text they were not shown.
            messages.error(
                request, _("The consent changed since you opened this page: please read it again.")
            )
            return redirect("participants:consent_sign")
        try:
            signed = consent.consent_sign(
                participant=request.user,
                document=document,
                typed_name=form.cleaned_data["typed_name"],
                agreed=form.cleaned_data["agree"],
                ip_address=client_ip(request) or None,
                user_agent=user_agent(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        except consent.ConsentRefused as error:
            messages.error(request, str(error))
            return redirect("participants:consent_sign")
        else:
            audit_record(request=request, action=AuditAction.SIGN, record=signed)
            messages.success(request, _("Thank you: your consent is signed."))
            return redirect("participants:me")
    if request.method == "GET":
        audit_own_record(request=request, action=AuditAction.VIEW, record=document)
    return render(
        request,
        "participants/consent_sign.html",
        {
            "document": document,
            "paragraphs": [p.strip() for p in document.body.split("\n\n") if p.strip()],
            "not_in_your_language": document.language != language,
            "signature": signature,
            "form": form,
        },
    )
