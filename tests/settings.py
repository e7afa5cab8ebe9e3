"""The project's settings, for the test suite.

Only what tests need differs: a key that exists nowhere else, fast password hashing, no HTTPS
redirect for the test client, and Celery tasks run in-process unless a test starts a real worker.
"""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-not-used-anywhere-else-0123456789")

from journease.settings import *  # noqa: E402, F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
STATIC_ROOT = None

SMS_BACKEND = "outbox.sms.LocmemSmsBackend"

# Parallel test processes (and other checkouts) share one Redis: each test process sends its tasks
# to a queue of its own, so a worker started by one never takes another's tasks.
CELERY_TASK_DEFAULT_QUEUE = (
    f"journease-test-{os.getpid()}-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"
)

# Rate limits count in the shared cache: tests other than the rate-limit tests never reach them,
# and each test process keeps its keys apart from other runs that share the same Redis.
RATE_LIMITS = {scope: (1000, window) for scope, (_limit, window) in RATE_LIMITS.items()}  # noqa: F405
CACHES["default"]["KEY_PREFIX"] = f"journease-test-{os.getpid()}"  # noqa: F405
