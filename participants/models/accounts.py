"""Accounts, roles and the participant profile.

Contact details live on the profile, not in the screening, so that coordinators can reach people
without seeing clinical answers.
"""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, Group, PermissionsMixin
from django.db import models, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from phonenumber_field.modelfields import PhoneNumberField


class Role(models.TextChoices):
    """The four roles; each is a Django group of the same name holding its permissions."""

    PARTICIPANT = "Participant", _("Participant")
    COORDINATOR = "Coordinator", _("Coordinator")
    CLINICIAN = "Clinician", _("Clinician")
    ADMIN = "Admin", _("Admin")


# The roles that work in the staff pages; who may do what is decided in ``participants.access``.
STAFF_ROLES = frozenset({Role.COORDINATOR, Role.CLINICIAN, Role.ADMIN})


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("email_verified_at", timezone.now())
        user = self._create_user(email, password, **extra)
        user.set_role(Role.ADMIN)
        return user

    def get_by_natural_key(self, username: str):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who signs in: e-mail is the login. Roles are groups (see ``Role``)."""

    email = models.EmailField(_("e-mail address"), max_length=254, unique=True)
    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(
        _("may enter Django admin"),
        default=False,
        help_text=_("Set from the Admin role; only admins enter Django admin."),
    )
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)
    email_verified_at = models.DateTimeField(_("e-mail verified"), null=True, blank=True)
    email_verification_sent_at = models.DateTimeField(
        _("verification e-mail sent"), null=True, blank=True
    )
    # The language the person reads pages and messages in (``settings.LANGUAGES``).
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("Pages, e-mails, text messages and calendar entries are in this language."),
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]
        permissions = [
            ("access_staff_pages", _("Can use the staff pages")),
            ("view_clinical_records", _("Can read participants' clinical records")),
            ("decide_eligibility", _("Can decide screening eligibility")),
            ("monitor_dosing", _("Can medically monitor dosing sessions")),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name

    @property
    def display_name(self) -> str:
        """The name to greet someone by: their preferred name when they gave one."""
        profile = getattr(self, "participant_profile", None)
        if profile is not None and profile.preferred_name:
            return profile.preferred_name
        return self.first_name or self.email

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @cached_property
    def roles(self) -> frozenset[str]:
        """Names of this user's role groups (one query, cached on the instance)."""
        if not self.is_active or not self.pk:
            return frozenset()
        return frozenset(self.groups.filter(name__in=Role.values).values_list("name", flat=True))

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def set_role(self, role: str) -> None:
        """Hold exactly one role (its group), saved at once. Only admins may enter Django admin,
        so ``is_staff`` follows the Admin role."""
        if role not in Role.values:
            raise ValueError(f"Unknown role {role!r}")
        with transaction.atomic():
            group, _created = Group.objects.get_or_create(name=role)
            self.groups.remove(*Group.objects.filter(name__in=Role.values).exclude(pk=group.pk))
            self.groups.add(group)
            self.is_staff = role == Role.ADMIN
            self.save(update_fields=["is_staff"])
        self.__dict__.pop("roles", None)


class ParticipantProfile(models.Model):
    """A participant's contact details, emergency contact and message preferences."""

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="participant_profile", verbose_name=_("user")
    )
    preferred_name = models.CharField(_("preferred name"), max_length=80, blank=True)
    phone = PhoneNumberField(_("mobile phone"), blank=True)
    date_of_birth = models.DateField(_("date of birth"))
    emergency_contact_name = models.CharField(
        _("emergency contact name"), max_length=150, blank=True
    )
    emergency_contact_relationship = models.CharField(
        _("relationship to you"), max_length=80, blank=True
    )
    emergency_contact_phone = PhoneNumberField(_("emergency contact phone"), blank=True)
    sms_opt_in = models.BooleanField(
        _("text message reminders"),
        default=False,
        help_text=_("Reminders by text message to your mobile phone. Reply STOP to end them."),
    )
    integration_prompts = models.BooleanField(
        _("integration prompts"),
        default=True,
        help_text=_(
            "Practices and check-ins after a session. Confirmations, changes and reminders "
            "are always sent by e-mail."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("participant profile")
        verbose_name_plural = _("participant profiles")
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(sms_opt_in=True, phone=""),
                name="profile_sms_needs_phone",
                violation_error_message=_("Text messages need a mobile phone number."),
            ),
        ]

    def __str__(self) -> str:
        return str(self.user)

    @property
    def has_emergency_contact(self) -> bool:
        return bool(self.emergency_contact_name and self.emergency_contact_phone)
