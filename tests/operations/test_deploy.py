"""The deployment recipe in deploy/ holds together with the settings it runs.

The systemd units are read as INI files (configparser), the nginx site with a small reader of its
blocks and directives. The environment example is loaded into a fresh interpreter, the way
tests/test_settings.py runs ``check --deploy``, and must pass it with no issue; the headers nginx
sets are the ones those settings trust.
"""

import configparser
import json
import os
import re
import secrets
import shlex
from pathlib import Path

import pytest

from tests.test_settings import run_settings

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
ENV_FILE = "/etc/journease/journease.env"
SERVICES = ("journease-web", "journease-worker", "journease-beat")


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # systemd's keys are case-sensitive
    parser.read_string((DEPLOY / "systemd" / name).read_text())
    return parser


def env_example() -> dict[str, str]:
    """The example environment file as systemd reads it (KEY=value, optional double quotes)."""
    values = {}
    for line in (DEPLOY / "journease.env.example").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = shlex.split(value)[0] if value.strip() else ""
    return values


def nginx_blocks(text: str, name: str) -> list[str]:
    """The bodies of the blocks called ``name`` (``server``, ``location /``), at any depth."""
    text = re.sub(r"#[^\n]*", "", text)
    bodies = []
    for match in re.finditer(rf"(?:^|[;{{}}\s]){re.escape(name)}\s*\{{", text):
        depth, start = 1, match.end()
        position = start
        while depth:
            depth += {"{": 1, "}": -1}.get(text[position], 0)
            position += 1
        bodies.append(text[start : position - 1])
    return bodies


def directives(body: str, name: str) -> list[str]:
    """The values of the directive ``name`` in a block body (a quoted value may hold ";")."""
    pattern = rf'(?:^|[;{{}}\s]){name}\s+((?:"[^"]*"|[^;{{}}"])+);'
    return [m.strip() for m in re.findall(pattern, body)]


def tls_server() -> str:
    servers = nginx_blocks((DEPLOY / "nginx" / "journease.conf").read_text(), "server")
    (tls,) = [body for body in servers if any("ssl" in v for v in directives(body, "listen"))]
    return tls


def proxy_headers(body: str) -> dict[str, str]:
    return dict(value.split(None, 1) for value in directives(body, "proxy_set_header"))


def deployed_settings(*names: str) -> dict:
    """Settings as the services get them from the example environment file."""
    env = env_example()
    env.pop("JOURNEASE_VAR_DIR")  # run_settings gives the subprocess a folder of its own
    code = (
        "import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {list(names)!r}}}, default=str))"
    )
    result = run_settings(env, code)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("name", SERVICES)
def test_each_service_runs_as_an_unprivileged_user_restarts_and_reads_the_env_file(name):
    service = unit(f"{name}.service")["Service"]
    assert service["User"] not in ("", "root", "0")
    assert service["User"] == service["Group"] == "journease"
    assert service["Restart"] == "on-failure"
    assert service["EnvironmentFile"] == ENV_FILE  # no "-": a missing file stops the start
    assert service["NoNewPrivileges"] == "yes"
    assert service["ProtectSystem"] == "strict"
    assert service["CapabilityBoundingSet"] == ""
    assert service["WorkingDirectory"] == "/opt/journease"
    assert unit(f"{name}.service")["Install"]["WantedBy"] == "multi-user.target"


def test_the_services_start_gunicorn_a_worker_and_one_beat():
    web, worker, beat = (
        shlex.split(unit(f"{n}.service")["Service"]["ExecStart"]) for n in SERVICES
    )
    assert web[0].endswith("/gunicorn") and web[1] == "journease.wsgi"
    assert "127.0.0.1:8000" in web
    assert worker[0].endswith("/celery") and worker[1:4] == ["-A", "journease", "worker"]
    assert beat[0].endswith("/celery") and beat[1:4] == ["-A", "journease", "beat"]
    # systemd reads %h as the home folder: celery's own %h must be escaped.
    assert not re.search(r"(?<!%)%h", unit("journease-worker.service")["Service"]["ExecStart"])
    assert not any("@" in name for name in SERVICES)  # beat is no template: one instance


def test_nginx_proxies_to_the_address_gunicorn_listens_on():
    conf = (DEPLOY / "nginx" / "journease.conf").read_text()
    (upstream,) = nginx_blocks(conf, "upstream journease_web")
    assert directives(upstream, "server") == ["127.0.0.1:8000"]
    (location,) = nginx_blocks(tls_server(), "location /")
    assert directives(location, "proxy_pass") == ["http://journease_web"]


def test_nginx_sends_exactly_the_proxy_headers_the_settings_trust():
    values = deployed_settings("BEHIND_PROXY", "SECURE_PROXY_SSL_HEADER", "USE_X_FORWARDED_HOST")
    assert values["BEHIND_PROXY"] is True
    meta_name, secure_value = values["SECURE_PROXY_SSL_HEADER"]
    header = meta_name.removeprefix("HTTP_").replace("_", "-").title()
    (location,) = nginx_blocks(tls_server(), "location /")
    headers = proxy_headers(location)
    # Only the TLS server proxies, so $scheme is always what Django expects there.
    assert header == "X-Forwarded-Proto"
    assert headers[header] == "$scheme" and secure_value == "https"
    # participants.request_info.client_ip trusts the right-most X-Forwarded-For entry: nginx's
    # own view of the client, replacing anything the client sent.
    assert headers["X-Forwarded-For"] == "$remote_addr"
    assert headers["Host"] == "$host"
    assert values["USE_X_FORWARDED_HOST"] is False
    assert set(headers) == {"Connection", "Host", "X-Forwarded-Proto", "X-Forwarded-For"}


def test_nginx_serves_only_tls_with_the_same_hsts_as_django():
    conf = (DEPLOY / "nginx" / "journease.conf").read_text()
    plain = [
        b for b in nginx_blocks(conf, "server") if "ssl" not in " ".join(directives(b, "listen"))
    ]
    (redirect,) = nginx_blocks(plain[0], "location /")
    assert directives(redirect, "return") == ["301 https://$host$request_uri"]
    tls = tls_server()
    assert directives(tls, "ssl_protocols") == ["TLSv1.2 TLSv1.3"]
    (hsts,) = [v for v in directives(tls, "add_header") if v.startswith("Strict-Transport")]
    values = deployed_settings("SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS")
    assert f"max-age={values['SECURE_HSTS_SECONDS']}" in hsts and hsts.endswith("always")
    assert ("includeSubDomains" in hsts) == values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert directives(tls, "proxy_hide_header") == ["Strict-Transport-Security"]


def test_check_deploy_reports_no_issue_with_the_example_environment():
    env = env_example()
    env.pop("JOURNEASE_VAR_DIR")
    env["SECRET_KEY"] = secrets.token_urlsafe(50)  # the example's placeholder is to be replaced
    result = run_settings(env, "", "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_env_example_says_mode_600_and_names_every_folder_the_units_use():
    text = (DEPLOY / "journease.env.example").read_text()
    assert "install -m 600 -o root -g root" in text
    env = env_example()
    assert env["DEBUG"] == "0" and env["BEHIND_PROXY"] == "1"
    assert (
        env["JOURNEASE_VAR_DIR"]
        == "/var/lib/" + unit("journease-beat.service")["Service"]["StateDirectory"]
    )
    backup = unit("journease-backup.service")["Service"]
    assert backup["ReadWritePaths"] == env["JOURNEASE_BACKUP_DIR"]


def test_a_daily_timer_runs_the_backup_as_the_service_user():
    backup = unit("journease-backup.service")["Service"]
    assert backup["Type"] == "oneshot"
    assert backup["User"] == "journease"
    assert backup["EnvironmentFile"] == ENV_FILE
    assert backup["ExecStart"].endswith("manage.py backup")
    assert backup["UMask"] == "0077"
    timer = unit("journease-backup.timer")
    assert timer["Timer"]["Unit"] == "journease-backup.service"
    assert re.fullmatch(r"(\*-\*-\* \d\d:\d\d:\d\d|daily)", timer["Timer"]["OnCalendar"])
    assert timer["Timer"]["Persistent"] == "true"
    assert timer["Install"]["WantedBy"] == "timers.target"


def test_logrotate_rotates_every_log_the_units_write():
    rotated = (DEPLOY / "logrotate" / "journease").read_text()
    assert "/var/log/journease/*.log {" in rotated
    assert "copytruncate" in rotated  # systemd holds the files open
    for name in (*SERVICES, "journease-backup"):
        log = unit(f"{name}.service")["Service"]["StandardOutput"]
        assert re.fullmatch(r"append:/var/log/journease/[a-z]+\.log", log), log


def test_journease_manage_runs_as_the_service_user_with_its_env_file():
    script = DEPLOY / "journease-manage"
    assert os.access(script, os.X_OK)
    text = script.read_text()
    assert "--uid=journease" in text and f"EnvironmentFile={ENV_FILE}" in text


def test_gunicorn_shares_its_workers_request_metrics():
    service = unit("journease-web.service")["Service"]
    web = shlex.split(service["ExecStart"])
    config = web[web.index("--config") + 1]
    assert config == "/opt/journease/deploy/gunicorn.conf.py"
    text = (DEPLOY / "gunicorn.conf.py").read_text()
    assert "def child_exit(server, worker):" in text and "mark_process_dead" in text
    assert "PROMETHEUS_MULTIPROC_DIR=/run/journease-metrics" in service["Environment"]
    assert service["RuntimeDirectory"] == "journease-metrics"
