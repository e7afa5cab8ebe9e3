"""Real Celery workers and beats as subprocesses on the pytest-django test database and the real
Redis, on one queue of the test's own; and the e-mail they sent, read back from their files.

gunicorn is started as tests/sessions_app/test_http_burst.py starts it (its helpers are reused);
every process runs with ``tests.operations.process_settings``.
"""

import email
import email.policy
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from django.conf import settings

from journease.celery import app as celery_app
from tests.sessions_app.test_http_burst import (
    Server,
    _clock_command,
    _free_port,
    _stop,
    _test_database_url,
    _wait_until_answering,
)

PROCESS_SETTINGS = "tests.operations.process_settings"
READY_SECONDS = 60
# The file-based e-mail backend writes messages one after another, separated by this line.
MAIL_SEPARATOR = "-" * 79


class Stack:
    """The processes one test started, their logs, its queue and where their e-mail goes."""

    def __init__(self, folder: Path, exits: ExitStack, *, beat_seconds: float = 0) -> None:
        self.folder = folder
        self.exits = exits
        self.queue = f"journease-ops-test-{uuid.uuid4().hex[:12]}"
        self.mail = folder / "mail"
        self.mail.mkdir(parents=True, exist_ok=True)
        self.beat_seconds = beat_seconds
        self.logs: dict[str, Path] = {}

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": PROCESS_SETTINGS,
            "DATABASE_URL": _test_database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "SECRET_KEY": settings.SECRET_KEY,
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1",
            "JOURNEASE_TEST_QUEUE": self.queue,
            "JOURNEASE_TEST_BEAT_SECONDS": str(self.beat_seconds),
            "EMAIL_FILE_PATH": str(self.mail),
            "JOURNEASE_VAR_DIR": str(self.folder),
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            "TZ": "UTC",
            "FAKETIME_DONT_RESET": "1",
        }

    def start(self, name: str, args: list[str], **env: str) -> subprocess.Popen:
        """``python -m <args>`` under the test's clock, stopped (by its process group) when the
        stack closes; its output goes to ``<name>.log``."""
        log_path = self.folder / f"{name}.log"
        self.logs[name] = log_path
        with log_path.open("w") as log:
            process = subprocess.Popen(
                [*_clock_command(), sys.executable, "-m", *args],
                env={**self.env(), **env},
                cwd=settings.BASE_DIR,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.exits.callback(_stop, process)
        return process

    def worker(
        self, name: str, *, concurrency: int = 4, loglevel: str = "WARNING"
    ) -> subprocess.Popen:
        """A worker as the Procfile runs it (threads), on this stack's queue; returns once it
        answers a ping."""
        hostname = f"{name}@{self.queue}"
        process = self.start(
            name,
            [
                "celery",
                "-A",
                "journease",
                "worker",
                "--pool=threads",
                f"--concurrency={concurrency}",
                f"--loglevel={loglevel}",
                f"--hostname={hostname}",
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                f"--queues={self.queue}",
            ],
            LOG_LEVEL=loglevel,
        )
        deadline = time.monotonic() + READY_SECONDS
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail(f"worker {name} exited:\n{self.log_tail(name)}")
            if celery_app.control.ping(destination=[hostname], timeout=0.5):
                return process
        pytest.fail(
            f"worker {name} did not answer within {READY_SECONDS} s:\n{self.log_tail(name)}"
        )

    def web(self, name: str, *, workers: int = 2, threads: int = 4) -> Server:
        """gunicorn as test_http_burst starts it, on a free loopback port; returns once
        ``/healthz`` answers."""
        port = _free_port()
        process = self.start(
            name,
            [
                "gunicorn",
                "journease.wsgi",
                f"--bind=127.0.0.1:{port}",
                f"--workers={workers}",
                f"--threads={threads}",
                "--worker-class=gthread",
                "--timeout=120",
                "--log-level=warning",
            ],
            DATABASE_CONN_MAX_AGE="0",
        )
        server = Server("127.0.0.1", port, self.logs[name])
        _wait_until_answering(server, process)
        return server

    def beat(self, name: str) -> subprocess.Popen:
        """A beat with its own schedule file, as a second server's beat would have."""
        return self.start(
            name,
            [
                "celery",
                "-A",
                "journease",
                "beat",
                "--loglevel=INFO",
                f"--schedule={self.folder / name}-schedule",
                "--max-interval=1",
            ],
            # Beat says "Sending due task ..." at INFO: the test counts its ticks.
            LOG_LEVEL="INFO",
        )

    def log(self, name: str) -> str:
        return self.logs[name].read_text()

    def log_tail(self, name: str) -> str:
        return self.log(name)[-4000:]

    def sent_mail(self) -> list[email.message.EmailMessage]:
        """Every e-mail the processes sent, parsed."""
        messages = []
        for path in sorted(self.mail.glob("*.log")):
            for chunk in path.read_text().split(f"\n{MAIL_SEPARATOR}\n"):
                if chunk.strip():
                    messages.append(email.message_from_string(chunk, policy=email.policy.default))
        return messages


@contextmanager
def process_stack(folder: Path, *, beat_seconds: float = 0) -> Iterator[Stack]:
    """A stack of processes on a fresh queue of its own; all stopped at the end."""
    with ExitStack() as exits:
        stack = Stack(folder, exits, beat_seconds=beat_seconds)
        with celery_app.connection_for_write() as conn:
            conn.default_channel.queue_purge(stack.queue)
        yield stack
