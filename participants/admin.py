from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from participants.models import ParticipantProfile, User


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
