"""Django admin for the Admin role only: coordinators and clinicians work in the staff pages."""

import functools

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.views.main import ERROR_FLAG
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import BadRequest, ValidationError
from django.db import DataError
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from journease.hostile import MAX_ID, refuse_nul


class _KnownKeysOnly:
    """Django's autocomplete widgets look up the posted keys to show them again: a key that is
    no key at all (text, a NUL byte, a number past 64 bits) raised there, after the form had
    already refused it. Only keys that can exist are looked up; the form's error stays."""

    def optgroups(self, name, value, attr=None):
        pk = self.field.remote_field.model._meta.pk
        known = []
        for item in value:
            try:
                key = pk.to_python(item)
            except (ValidationError, TypeError, ValueError):
                continue
            if not isinstance(key, int) or -MAX_ID <= key <= MAX_ID:
                known.append(item)
        return super().optgroups(name, known, attr)


class KnownKeysAutocompleteSelect(_KnownKeysOnly, AutocompleteSelect):
    pass


class KnownKeysAutocompleteSelectMultiple(_KnownKeysOnly, AutocompleteSelectMultiple):
    pass


class HostileInputAdminMixin:
    """Given to every ModelAdmin the site registers (``JourneaseAdminSite.register``)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if formfield is not None and type(formfield.widget) is AutocompleteSelect:
            formfield.widget.__class__ = KnownKeysAutocompleteSelect
        return formfield

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        formfield = super().formfield_for_manytomany(db_field, request, **kwargs)
        if formfield is not None and type(formfield.widget) is AutocompleteSelectMultiple:
            formfield.widget.__class__ = KnownKeysAutocompleteSelectMultiple
        return formfield


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


class JourneaseAdminConfig(AdminConfig):
    default_site = "journease.admin.JourneaseAdminSite"
