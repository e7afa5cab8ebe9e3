"""WSGI entry point, for gunicorn: ``gunicorn journease.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "journease.settings")

from journease.startup import require_secret_key  # noqa: E402

# DEBUG off and no SECRET_KEY: refuse to serve, rather than fail at the first signature.
require_secret_key("web process")

application = get_wsgi_application()
