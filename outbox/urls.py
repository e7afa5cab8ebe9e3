from django.urls import path

from outbox import views

# No namespace: ``/healthz`` is reversed as "healthz", as it always was.
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
]
