"""Django admin for the Admin role only: coordinators and clinicians work in the staff pages."""

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class JourneaseAdminSite(admin.AdminSite):
    site_header = _("Journease administration")
    site_title = _("Journease admin")
    index_title = _("Clinic settings and records")

    def has_permission(self, request) -> bool:
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        from participants.models import Role

        return user.is_superuser or user.has_role(Role.ADMIN)


class JourneaseAdminConfig(AdminConfig):
    default_site = "journease.admin.JourneaseAdminSite"
