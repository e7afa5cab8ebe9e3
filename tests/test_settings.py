"""Configuration from the environment: safe defaults, and production checks that pass."""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# The subprocesses get a folder of their own for the SQLite file and broker they would create.
VAR_DIR = tempfile.mkdtemp(prefix="journease-settings-")


def run_settings(env: dict, code: str, *args: str) -> subprocess.CompletedProcess:
    """Run ``code`` (or a script) in a fresh interpreter with exactly ``env`` set."""
    base = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "journease.settings",
        "JOURNEASE_VAR_DIR": VAR_DIR,
    }
    return subprocess.run(
        [sys.executable, *(["-c", code] if code else args)],
        env={**base, **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_deploy_is_clean_with_debug_off_a_key_and_hosts():
    result = run_settings(
        {
            "DEBUG": "0",
            "SECRET_KEY": "x7Qp2mVr9sLw4ZtB8nKd3HfJ6gYc1XaE5uRo0iPq-_lMvNzS4e8Tb2Wy6Uh0Jk",
            "ALLOWED_HOSTS": "clinic.example.org",
        },
        "",
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_debug_off_never_falls_back_to_a_development_key():
    result = run_settings(
        {},
        "import django; django.setup(); from django.conf import settings; settings.SECRET_KEY",
    )
    assert result.returncode != 0
    assert "SECRET_KEY setting must not be empty" in result.stderr


def test_debug_off_without_a_key_still_runs_commands_that_need_none():
    result = run_settings({}, "", "manage.py", "makemigrations", "--check", "--dry-run")
    assert result.returncode == 0, result.stdout + result.stderr


def read_settings(env: dict, *names: str) -> dict:
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: str(getattr(settings, n)) for n in {list(names)!r}}}))"
    )
    result = run_settings(env, code)
    assert result.returncode == 0, result.stderr
    import json

    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_defaults_turn_https_and_cookie_security_on():
    values = read_settings(
        {"SECRET_KEY": "k" * 50},
        "DEBUG",
        "SECURE_SSL_REDIRECT",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_HSTS_SECONDS",
        "ALLOWED_HOSTS",
    )
    assert values == {
        "DEBUG": "False",
        "SECURE_SSL_REDIRECT": "True",
        "SESSION_COOKIE_SECURE": "True",
        "CSRF_COOKIE_SECURE": "True",
        "SECURE_HSTS_SECONDS": "31536000",
        "ALLOWED_HOSTS": "[]",
    }


def test_with_nothing_configured_development_runs_on_sqlite_and_the_embedded_broker():
    values = read_settings(
        {"DEBUG": "1"}, "DATABASES", "CELERY_BROKER_URL", "CACHES", "TIME_ZONE", "SITE_URL"
    )
    assert "sqlite3" in values["DATABASES"]
    assert "IMMEDIATE" in values["DATABASES"]
    assert values["CELERY_BROKER_URL"] == "filesystem://"
    assert "DatabaseCache" in values["CACHES"]
    assert values["TIME_ZONE"] == "America/Denver"
    assert values["SITE_URL"] == "http://localhost:8000"


def test_database_and_redis_urls_switch_to_postgresql_and_redis():
    values = read_settings(
        {
            "DEBUG": "1",
            "DATABASE_URL": "postgres://clinic@db.internal:5432/journease",
            "REDIS_URL": "redis://cache.internal:6379/2",
            "CLINIC_TIME_ZONE": "America/Phoenix",
            "PORT": "9000",
        },
        "DATABASES",
        "CELERY_BROKER_URL",
        "CACHES",
        "TIME_ZONE",
        "SITE_URL",
    )
    assert "django.db.backends.postgresql" in values["DATABASES"]
    assert values["CELERY_BROKER_URL"] == "redis://cache.internal:6379/2"
    assert "RedisCache" in values["CACHES"]
    assert values["TIME_ZONE"] == "America/Phoenix"
    assert values["SITE_URL"] == "http://localhost:9000"


@pytest.mark.parametrize("flag", ["SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE"])
def test_each_security_setting_can_be_turned_off_explicitly(flag):
    assert read_settings({"SECRET_KEY": "k" * 50, flag: "0"}, flag) == {flag: "False"}


# --- Issue 17, item 13: no SECRET_KEY with DEBUG off stops the web and worker processes ---------


@pytest.mark.parametrize("module", ["journease.wsgi", "journease.asgi"])
def test_web_process_without_a_key_refuses_to_start_and_says_why(module):
    result = run_settings({}, f"import {module}")
    assert result.returncode != 0
    assert "refuses to start: DEBUG is off and SECRET_KEY is not set" in result.stderr


@pytest.mark.parametrize("module", ["journease.wsgi", "journease.asgi"])
@pytest.mark.parametrize("env", [{"DEBUG": "1"}, {"SECRET_KEY": "k" * 50}])
def test_web_process_starts_with_a_key_or_in_development(module, env):
    result = run_settings(env, f"import {module}; print({module}.application is not None)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("True")


@pytest.mark.parametrize(
    ("command", "name"), [(("worker", "--pool=solo"), "Celery worker"), (("beat",), "Celery beat")]
)
def test_celery_process_without_a_key_stops_at_once_and_says_why(command, name):
    schedule = str(Path(VAR_DIR) / "beat-schedule")
    result = run_settings(
        {},
        "",
        "-m",
        "celery",
        "-A",
        "journease",
        *command,
        "--loglevel=WARNING",
        *(["--schedule", schedule] if command[0] == "beat" else []),
    )
    assert result.returncode != 0
    assert f"Journease {name} refuses to start" in result.stdout + result.stderr


def test_celery_start_up_check_passes_with_a_key():
    result = run_settings(
        {"SECRET_KEY": "k" * 50},
        "import django; django.setup(); from journease.startup import missing_secret_key; "
        "print(missing_secret_key('Celery worker'))",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("None")
