"""Django admin for the Admin role only: coordinators and clinicians work in the staff pages."""

import functools

from django.contrib import admin
from django.contrib.admin.views.main import ERROR_FLAG
from django.core.exceptions import BadRequest
from django.db import DataError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from journease.admin import HostileInputAdminMixin
from journease.hostile import refuse_nul
from participants.access import may_use_admin_site


class JourneaseAdminSite(admin.AdminSite):
    site_header = _("Journease administration")
    site_title = _("Journease admin")
    index_title = _("Clinic settings and records")

    def has_permission(self, request) -> bool:
        return may_use_admin_site(request.user)

    def register(self, model_or_iterable, admin_class=None, **options):
        """Every ModelAdmin gets ``HostileInputAdminMixin``, so no app's admin can forget it."""
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, HostileInputAdminMixin):
            admin_class = type(
                admin_class.__name__,
                (HostileInputAdminMixin, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        super().register(model_or_iterable, admin_class, **options)

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
