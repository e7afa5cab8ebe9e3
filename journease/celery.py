"""The Celery app: configured from Django settings (``CELERY_*``), tasks discovered per app."""

import os

from celery import Celery
from celery.signals import beat_init, worker_init

from journease.startup import exit_without_secret_key

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "journease.settings")

app = Celery("journease")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# A worker or beat started with DEBUG off and no SECRET_KEY stops at once, saying why (the app
# itself is also imported by management commands, which may run without a key).
@worker_init.connect(weak=False)
def _worker_needs_a_secret_key(**kwargs) -> None:
    exit_without_secret_key("Celery worker")


@beat_init.connect(weak=False)
def _beat_needs_a_secret_key(**kwargs) -> None:
    exit_without_secret_key("Celery beat")
