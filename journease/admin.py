"""Django admin for the Admin role only: coordinators and clinicians work in the staff pages."""

import functools

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.views.main import ERROR_FLAG
from django.core.exceptions import BadRequest
from django.db import DataError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from journease.hostile import refuse_nul


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

    def admin_view(self, view, cacheable=False):
        """Every admin page refuses a query holding a NUL byte (PostgreSQL would raise on it);
        a list page treats it, and a filter value the database cannot take (a date at the end
        of the calendar), as Django treats any invalid lookup: back to the list, ``?e=1``."""
        inner = super().admin_view(view, cacheable)
        is_changelist = getattr(view, "__name__", "") == "changelist_view"

        @functools.wraps(inner)
        def guarded(request, *args, **kwargs):
            if is_changelist and request.method == "GET" and ERROR_FLAG not in request.GET:
                try:
                    refuse_nul(request.GET)
                    return inner(request, *args, **kwargs)
                except (BadRequest, OverflowError, DataError):
                    return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")
            refuse_nul(request.GET)
            return inner(request, *args, **kwargs)

        return guarded


class JourneaseAdminConfig(AdminConfig):
    default_site = "journease.admin.JourneaseAdminSite"
