"""Django admin's defences against hostile input, for every app's admin (``HostileInputAdminMixin``).

The site itself, and who may use it, is ``participants.admin_site``."""

from django.contrib.admin.apps import AdminConfig
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError

from journease.hostile import MAX_ID


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


class JourneaseAdminConfig(AdminConfig):
    # Named, not imported: the site decides who may use it through ``participants.access``,
    # and Django imports it once the apps are ready.
    default_site = "participants.admin_site.JourneaseAdminSite"
