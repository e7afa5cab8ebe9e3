"""WSGI entry point, for gunicorn: ``gunicorn journease.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "journease.settings")

application = get_wsgi_application()
