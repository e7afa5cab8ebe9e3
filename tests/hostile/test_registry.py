"""The fuzz's registry against the code: every form the project defines, every form a view binds,
every query parameter and posted name a view reads, and every ModelAdmin, is in ``registry.py``
(or, for a form, in ``NOT_POSTED`` with its reason). A new one that is not fails here."""

import importlib
import inspect
import re
import types
from pathlib import Path

from django import forms
from django.contrib import admin

from tests.hostile import registry
from tests.hostile.test_fuzz import admin_targets

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("journease", "outbox", "participants", "sessions_app", "dosing", "cohorts", "followup")

GET_KEY = re.compile(r"request\.GET(?:\.get|\.getlist)?\s*[\(\[]\s*[\"']([^\"']+)[\"']")
POST_KEY = re.compile(r"request\.POST(?:\.get|\.getlist)?\s*[\(\[]\s*[\"']([^\"']+)[\"']")
FORM_ON_GET = re.compile(r"(\w+Form)\(\s*request\.GET")
FORM_BOUND = re.compile(r"(\w+Form)\(")


def form_modules() -> list[types.ModuleType]:
    """The project's ``forms`` modules (and packages' submodules) and ``*_forms`` modules."""
    found = []
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts:
                continue
            if any(part == "forms" or part.endswith("_forms") for part in parts):
                name = ".".join(p for p in parts if p != "__init__")
                found.append(importlib.import_module(name))
    return found


def forms_defined_in(modules) -> set[type]:
    return {
        cls
        for module in modules
        for _name, cls in inspect.getmembers(module, inspect.isclass)
        if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__
    }


def unregistered(form_classes) -> set[type]:
    registered = {target.form for target in registry.FORMS} | set(registry.NOT_POSTED)
    return {cls for cls in form_classes if cls not in registered}


def view_sources() -> dict[str, str]:
    sources = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "views" in path.parts or path.stem in ("views", "urls"):
                sources[str(path.relative_to(ROOT))] = path.read_text()
    return sources


def test_the_project_has_form_modules_to_compare():
    names = {module.__name__ for module in form_modules()}
    assert names >= {
        "participants.forms.accounts",
        "sessions_app.forms",
        "sessions_app.enrollment_forms",
    }


def test_every_form_the_project_defines_is_in_the_registry():
    missing = unregistered(forms_defined_in(form_modules()))
    assert not missing, f"add to tests/hostile/registry.py: {sorted(c.__name__ for c in missing)}"


def test_a_new_form_would_be_caught():
    module = types.ModuleType("sessions_app.forms_example")

    class NewForm(forms.Form):
        note = forms.CharField()

    NewForm.__module__ = module.__name__
    module.NewForm = NewForm
    assert unregistered(forms_defined_in([module])) == {NewForm}


def test_every_form_a_view_binds_is_in_the_registry():
    known = {
        cls.__name__
        for cls in {target.form for target in registry.FORMS} | set(registry.NOT_POSTED)
        if cls
    }
    used = {name for source in view_sources().values() for name in FORM_BOUND.findall(source)}
    assert used - known == set(), "views bind forms the registry does not list"


def test_every_query_parameter_a_view_reads_is_in_the_registry():
    fuzzed = {param for target in registry.QUERIES for param in target.params}
    fuzzed |= {param for target in registry.FORMS for param in target.params}
    read = set()
    for source in view_sources().values():
        read |= set(GET_KEY.findall(source))
        # A form bound to the query string reads its fields as parameters.
        for form_name in FORM_ON_GET.findall(source):
            form = next(
                cls
                for module in form_modules()
                for cls in forms_defined_in([module])
                if cls.__name__ == form_name
            )
            read |= set(form.base_fields)
    assert read, "no query parameters found: has the pattern gone stale?"
    assert read - fuzzed == set(), f"add these GET parameters to the registry: {read - fuzzed}"


def test_every_name_a_view_reads_from_the_post_body_is_fuzzed():
    posted = set()
    for target in registry.FORMS:
        if target.fields is not None and not callable(target.fields):
            posted |= set(target.fields)
        elif target.form is not None and target.fields is None:
            posted |= set(target.form.base_fields)
    read = {key for source in view_sources().values() for key in POST_KEY.findall(source)}
    assert read - posted == set(), f"add these posted names to the registry: {read - posted}"


def test_every_model_admin_is_fuzzed():
    fuzzed = {model for model, _model_admin, _params in admin_targets()}
    assert fuzzed == set(admin.site._registry)
    for model_admin in admin.site._registry.values():
        # Each admin's own form class is what ``get_form`` builds on, and so what is fuzzed.
        assert issubclass(model_admin.form, forms.BaseModelForm)


def test_every_target_names_a_url_of_the_project():
    from django.urls import get_resolver

    names = set()
    resolver = get_resolver()
    for key in resolver.reverse_dict:
        if isinstance(key, str):
            names.add(key)
    for namespace, (_prefix, sub) in resolver.namespace_dict.items():
        names |= {f"{namespace}:{key}" for key in sub.reverse_dict if isinstance(key, str)}
    for target in (*registry.FORMS, *registry.QUERIES):
        assert target.url_name in names, target.label
