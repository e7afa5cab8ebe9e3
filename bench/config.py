"""Where the benchmark runs: its own PostgreSQL database and Redis database, and the environment
every process it starts (gunicorn, the Celery worker, pgbench) is given."""

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
VAR_DIR = ROOT / "var" / "bench"

# Never the development or test databases: the benchmark drops and recreates its own.
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/journease_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/9"


@dataclass(frozen=True)
class Target:
    """The servers and the names used for one run."""

    database_url: str
    redis_url: str
    secret_key: str = field(default_factory=lambda: secrets.token_urlsafe(48))

    @property
    def database(self) -> dict:
        parsed = urlparse(self.database_url)
        return {
            "host": parsed.hostname or "127.0.0.1",
            "port": parsed.port or 5432,
            "user": parsed.username or "postgres",
            "password": parsed.password or "",
            "name": parsed.path.lstrip("/"),
        }

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of every process of the run: production settings (``DEBUG`` off,
        HTTPS on behind a proxy that says so) with the bench's reference pages and outboxes."""
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench.settings",
            "DEBUG": "0",
            "SECRET_KEY": self.secret_key,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            # The load generator says it came through HTTPS, as the clinic's proxy does.
            "BEHIND_PROXY": "1",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "JOURNEASE_VAR_DIR": str(VAR_DIR),
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            "BENCH_DATABASE_URL": self.database_url,
            "BENCH_REDIS_URL": self.redis_url,
            "BENCH_SECRET_KEY": self.secret_key,
        }
        env.update(extra)
        return env


def target_from_environment() -> Target:
    """The run's target: ``BENCH_DATABASE_URL`` and ``BENCH_REDIS_URL`` or the defaults; a child
    process of the run is handed its parent's key in ``BENCH_SECRET_KEY``."""
    target = Target(
        database_url=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL),
        redis_url=os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL),
    )
    if os.environ.get("BENCH_SECRET_KEY"):
        target = Target(target.database_url, target.redis_url, os.environ["BENCH_SECRET_KEY"])
    return target
