"""The project's URLs and two references: the floor under every page of the app."""

from django.urls import path

from bench import views
from journease.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    path("bench/fixed/", views.fixed_response, name="bench_fixed"),
    path("bench/template/", views.template_only, name="bench_template"),
    *project_urlpatterns,
]
