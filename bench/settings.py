"""The production settings, plus two reference pages (``bench.urls``) and in-memory outboxes.

Everything else (middleware, templates, database, cache, static files) is the project's own, so
the references and the app's pages are served under the same conditions.
"""

from pathlib import Path

from journease.settings import *  # noqa: F403
from journease.settings import TEMPLATES, VAR_DIR

ROOT_URLCONF = "bench.urls"
TEMPLATES[0]["DIRS"] = [*TEMPLATES[0]["DIRS"], Path(__file__).resolve().parent / "templates"]
STATIC_ROOT = VAR_DIR / "staticfiles"

# Messages are delivered for real (rendered, built to the bytes), but to nowhere, not the world.
EMAIL_BACKEND = "bench.mail.DiscardingEmailBackend"
SMS_BACKEND = "sessions_app.sms.LocmemSmsBackend"
