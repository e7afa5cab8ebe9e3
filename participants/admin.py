from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from participants.forms.screening import FlagRuleForm, InstrumentTranslationUploadForm
from participants.models import (
    AuditAction,
    AuditEvent,
    ConsentDocument,
    ConsentSignature,
    FlagRule,
    InstrumentTranslation,
    ParticipantProfile,
    SafetyAlert,
    Screening,
    ScreeningPolicy,
    User,
)
from participants.services.audit import audit_list, audit_record
from participants.services.instrument_translations import (
    instrument_translation_withdraw,
    instrument_translations_load,
)


class AuditedAdmin(admin.ModelAdmin):
    """Clinical records in Django admin: listing them, opening one and every change land in the
    audit log, and none is deleted here, one by one or by "Delete selected" (which left no audit
    row). The retention path is ``manage.py clinical_record_purge`` (services/retention.py)."""

    def has_delete_permission(self, request, obj=None) -> bool:
        # Also drops the "Delete selected" action, which needs the delete permission.
        return False

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if changelist is not None and getattr(response, "status_code", 200) < 400:
            audit_list(
                request=request,
                model=self.model,
                shown=changelist.result_list,
                total=changelist.result_count,
                filters=request.GET.urlencode(),
                place="Django admin",
            )
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        record = self.get_object(request, object_id)
        if record is not None and getattr(response, "status_code", 200) < 400:
            action = AuditAction.UPDATE if request.method == "POST" else AuditAction.VIEW
            audit_record(request=request, action=action, record=record)
        return response


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "first_name", "last_name")


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class ParticipantProfileInline(admin.StackedInline):
    model = ParticipantProfile
    can_delete = False
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    add_form = UserCreationForm
    form = UserEditForm
    inlines = [ParticipantProfileInline]
    list_display = (
        "email",
        "first_name",
        "last_name",
        "role_names",
        "is_active",
        "email_verified_at",
    )
    list_filter = ("groups", "is_active", "is_staff")
    search_fields = ("email", "first_name", "last_name")
    ordering = ("last_name", "first_name")
    readonly_fields = ("last_login", "date_joined", "email_verification_sent_at")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Name"), {"fields": ("first_name", "last_name")}),
        (_("E-mail verification"), {"fields": ("email_verified_at", "email_verification_sent_at")}),
        (
            _("Role and permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "first_name", "last_name", "password1", "password2"),
            },
        ),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")

    @admin.display(description=_("roles"))
    def role_names(self, user: User) -> str:
        return ", ".join(sorted(group.name for group in user.groups.all()))

    def get_inlines(self, request, obj):
        # Staff accounts have no participant profile.
        if obj is None or not hasattr(obj, "participant_profile"):
            return []
        return super().get_inlines(request, obj)


@admin.register(ParticipantProfile)
class ParticipantProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "preferred_name", "phone", "sms_opt_in", "integration_prompts")
    search_fields = ("user__email", "user__first_name", "user__last_name", "preferred_name")
    list_select_related = ("user",)
    autocomplete_fields = ("user",)


@admin.register(FlagRule)
class FlagRuleAdmin(admin.ModelAdmin):
    form = FlagRuleForm
    list_display = ("code", "field", "operator", "value", "severity", "is_active")
    list_filter = ("severity", "is_active")
    search_fields = ("code", "field", "message")


@admin.register(ScreeningPolicy)
class ScreeningPolicyAdmin(admin.ModelAdmin):
    list_display = ("__str__", "approval_valid_days", "alert_escalation_minutes")

    def has_add_permission(self, request):
        return not ScreeningPolicy.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(InstrumentTranslation)
class InstrumentTranslationAdmin(admin.ModelAdmin):
    """Validated translations of PHQ-9, GAD-7 and the C-SSRS screener: added only by uploading
    the clinic's file (never typed here), read-only once loaded, withdrawn rather than deleted."""

    list_display = (
        "instrument",
        "language",
        "version",
        "test_data",
        "is_active",
        "loaded_by",
        "loaded_at",
    )
    list_filter = ("instrument", "language", "is_active", "test_data")
    list_select_related = ("loaded_by",)
    readonly_fields = [field.name for field in InstrumentTranslation._meta.fields]
    actions = ["withdraw"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def add_view(self, request, form_url="", extra_context=None):
        """Upload a translation file; a file with any fault is refused at the field, whole."""
        form = InstrumentTranslationUploadForm(
            request.POST if request.method == "POST" else None, request.FILES or None
        )
        if request.method == "POST" and form.is_valid():
            try:
                loaded = instrument_translations_load(
                    content=form.content,
                    file_name=form.cleaned_data["file"].name,
                    loaded_by=request.user,
                )
            except ValidationError as error:
                form.add_error("file", error)
            else:
                for translation in loaded:
                    audit_record(request=request, action=AuditAction.CREATE, record=translation)
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d translation loaded.",
                        "%(count)d translations loaded.",
                        len(loaded),
                    )
                    % {"count": len(loaded)},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:participants_instrumenttranslation_changelist")
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Load a validated instrument translation"),
            "form": form,
            **(extra_context or {}),
        }
        return TemplateResponse(
            request, "admin/participants/instrumenttranslation/upload.html", context
        )

    @admin.action(description=_("Withdraw: stop showing these translations"))
    def withdraw(self, request, queryset):
        for translation in queryset:
            instrument_translation_withdraw(translation=translation)
            audit_record(request=request, action=AuditAction.UPDATE, record=translation)
        self.message_user(request, _("The translations are withdrawn."), messages.SUCCESS)


@admin.register(ConsentDocument)
class ConsentDocumentAdmin(admin.ModelAdmin):
    list_display = ("version", "language", "title", "published_at", "created_at")
    list_filter = ("language",)
    ordering = ("-version", "language")

    def get_readonly_fields(self, request, obj=None):
        # A published version is what people signed: publish a new version instead.
        if obj is not None and obj.published_at is not None:
            return ("version", "language", "title", "body", "published_at")
        return ()


@admin.register(ConsentSignature)
class ConsentSignatureAdmin(AuditedAdmin):
    list_display = ("participant", "document", "language_signed", "signed_at", "ip_address")
    list_filter = ("document__language",)
    list_select_related = ("participant", "document")
    search_fields = ("participant__email", "participant__last_name")
    readonly_fields = (
        "participant",
        "document",
        "language_signed",
        "typed_name",
        "signed_at",
        "ip_address",
        "user_agent",
    )

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("language signed in"), ordering="document__language")
    def language_signed(self, obj: ConsentSignature) -> str:
        return obj.document.get_language_display()


@admin.register(Screening)
class ScreeningAdmin(AuditedAdmin):
    list_display = ("__str__", "participant", "status", "safety_level", "submitted_at")
    list_filter = ("status", "safety_level")
    list_select_related = ("participant",)
    search_fields = ("participant__email", "participant__last_name")
    readonly_fields = [f.name for f in Screening._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(SafetyAlert)
class SafetyAlertAdmin(AuditedAdmin):
    list_display = ("__str__", "participant", "status", "created_at", "acknowledged_by")
    list_filter = ("status",)
    list_select_related = ("participant", "acknowledged_by")
    readonly_fields = [f.name for f in SafetyAlert._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit log, searchable by admins; nobody adds, changes or deletes a row."""

    list_display = (
        "at",
        "actor_email",
        "action",
        "record_type",
        "record_id",
        "participant",
        "ip_address",
    )
    list_filter = ("action", "record_type", ("at", admin.DateFieldListFilter))
    search_fields = ("actor_email", "record_id", "participant__email", "ip_address")
    date_hierarchy = "at"
    list_select_related = ("participant",)
    readonly_fields = [field.name for field in AuditEvent._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
