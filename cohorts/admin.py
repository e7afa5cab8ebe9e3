"""Django admin of the programs: a template with its steps inline.

The rules across steps (no overlap, dosing days far enough apart) are the service's
(``services.templates.template_steps_check``); the step formset asks it before anything is saved
and puts each message at the step and field it concerns. A template's join-until step is chosen
among its own steps (``ProgramTemplate.clean`` refuses any other).
"""

from django.contrib import admin
from django.forms.models import BaseInlineFormSet

from cohorts.models import ProgramStep, ProgramTemplate
from cohorts.services.templates import template_steps_check


class ProgramStepFormSet(BaseInlineFormSet):
    """The steps of one template, checked together before any is saved."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return  # each step's own fields first
        forms = [
            form for form in self.forms if form.cleaned_data and not self._should_delete_form(form)
        ]
        steps = [
            ProgramStep(
                session_type=form.cleaned_data["session_type"],
                offset_days=form.cleaned_data["offset_days"],
                start_time=form.cleaned_data["start_time"],
                duration_minutes=form.cleaned_data["duration_minutes"],
            )
            for form in forms
        ]
        for error in template_steps_check(steps):
            forms[error.index].add_error(error.field, error.message)


class ProgramStepInline(admin.TabularInline):
    model = ProgramStep
    formset = ProgramStepFormSet
    extra = 1
    fields = (
        "position",
        "session_type",
        "offset_days",
        "start_time",
        "duration_minutes",
        "purpose",
        "purpose_es",
    )
    ordering = ("offset_days", "start_time", "position")


@admin.register(ProgramTemplate)
class ProgramTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "public_name", "capacity", "min_participants", "is_active")
    list_filter = ("is_active",)
    search_fields = ("name", "public_name")
    inlines = [ProgramStepInline]
    # What participants read has its Spanish beside it (blank: they read the English).
    fields = (
        "name",
        ("public_name", "public_name_es"),
        ("description", "description_es"),
        "capacity",
        "min_participants",
        "enrollment_closes_days",
        "join_until_step",
        "is_active",
    )

    def get_form(self, request, obj=None, change=False, **kwargs):
        # The template being edited (None when adding), for the join-until choices below.
        request.program_template = obj
        return super().get_form(request, obj, change=change, **kwargs)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "join_until_step":
            # Only this template's own steps (none yet on a new one).
            template = getattr(request, "program_template", None)
            kwargs["queryset"] = ProgramStep.objects.filter(
                template_id=template.pk if template else None
            ).select_related("session_type")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
