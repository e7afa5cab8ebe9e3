"""Settings for the gunicorn and Celery processes that the operations tests start: the test
settings, with every process on the queue the test names (not one per process id), tasks sent
through the broker, e-mail written to files, and, when asked, a beat schedule of seconds.

Environment: ``JOURNEASE_TEST_QUEUE`` (required), ``JOURNEASE_TEST_BEAT_SECONDS`` (every beat
entry runs this often), ``EMAIL_FILE_PATH`` (the folder e-mail is written to).
"""

import os

from tests.settings import *  # noqa: F403
from tests.settings import CELERY_BEAT_SCHEDULE

CELERY_TASK_ALWAYS_EAGER = False
CELERY_TASK_DEFAULT_QUEUE = os.environ["JOURNEASE_TEST_QUEUE"]
EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"

_every = float(os.environ.get("JOURNEASE_TEST_BEAT_SECONDS") or 0)
if _every:
    CELERY_BEAT_SCHEDULE = {
        name: {**entry, "schedule": _every} for name, entry in CELERY_BEAT_SCHEDULE.items()
    }
