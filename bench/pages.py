"""Pages under gunicorn on loopback, driven by wrk in another process, beside two references.

The references run in the same gunicorn, under the same settings and middleware: a fixed
response (the floor of the stack) and the base template with no query (the floor of any page).
Each URL is measured in several interleaved rounds, so a burst of noise from the shared machine
spreads over all of them rather than spoiling one; the round with the median throughput counts.
Query counts come from the same requests made in-process, with the same signed-in sessions.
"""

import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from bench.config import VAR_DIR, Target
from bench.data import BenchData
from bench.history import participant_id
from bench.processes import memory_mb, stop
from participants.models import User
from participants.services.two_factor import two_factor_required

GUNICORN_WORKERS = 2
WRK_CONNECTIONS = 4


@dataclass(frozen=True)
class Page:
    key: str
    label: str
    url: str
    signed_in_as: int | None = None
    reference: bool = False


def pages_for(data: BenchData) -> list[Page]:
    """The references first, then the pages of a clinic's busiest moments; a participant's own
    pages as seen by someone with a year of history (``bench.history``)."""
    history = participant_id()
    return [
        Page("fixed", "Reference: fixed response", reverse("bench_fixed"), reference=True),
        Page(
            "template",
            "Reference: base template, no query",
            reverse("bench_template"),
            reference=True,
        ),
        Page("sessions", "Upcoming sessions (public)", reverse("sessions_app:session_list")),
        Page(
            "session_detail",
            "Session page (participant)",
            reverse("sessions_app:session_detail", args=[data.session_id]),
            data.participant_id,
        ),
        Page(
            "staff_calendar",
            "Staff calendar (coordinator)",
            reverse("sessions_app:staff_dashboard"),
            data.coordinator_id,
        ),
        Page(
            "review_queue",
            "Review queue (clinician)",
            reverse("participants:review_queue"),
            data.clinician_id,
        ),
        Page("my_program", "My program (participant, a year)", reverse("participants:me"), history),
        Page(
            "my_sessions",
            "My sessions (participant, a year)",
            reverse("sessions_app:my_sessions"),
            history,
        ),
    ]


def signed_in_cookie(user_id: int) -> str:
    """A session cookie for ``user_id`` that has passed the second factor, as after signing in
    with the authenticator (staff) or the password (participants)."""
    user = User.objects.get(pk=user_id)
    client = Client()
    client.force_login(user)
    if two_factor_required(user):
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _headers(cookie: str) -> dict[str, str]:
    headers = {"X-Forwarded-Proto": "https"}
    if cookie:
        headers["Cookie"] = cookie
    return headers


def query_count(page: Page, cookie: str) -> int:
    """Queries one request of the page runs, made in-process after a first one (which may save
    the idle timer in the session) with the same session as the load generator."""
    client = Client(SERVER_NAME="127.0.0.1", headers=_headers(cookie))
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(page.url)
        if response.status_code != 200:
            raise SystemExit(f"{page.url} answered {response.status_code} in-process")
    if page.reference and len(queries):
        sql = "\n".join(query["sql"][:200] for query in queries.captured_queries)
        raise SystemExit(f"The reference {page.url} ran queries:\n{sql}")
    return len(queries)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Gunicorn:
    """The app under gunicorn on loopback, as production serves it (sync workers)."""

    def __init__(self, target: Target, workers: int = GUNICORN_WORKERS):
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.workers = workers
        log = (VAR_DIR / "gunicorn.log").open("w")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "journease.wsgi",
                f"--workers={workers}",
                f"--bind=127.0.0.1:{self.port}",
                "--worker-class=sync",
                "--log-level=warning",
            ],
            env=target.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        self._wait()

    def _wait(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn exited; see {VAR_DIR / 'gunicorn.log'}")
            try:
                self.get(reverse("bench_fixed"), "")
                return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("gunicorn did not answer within a minute")

    def get(self, path: str, cookie: str) -> int:
        url = self.base + path  # always http://127.0.0.1
        request = urllib.request.Request(url, headers=_headers(cookie))  # noqa: S310
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            if response.url != self.base + path:
                raise SystemExit(f"{path} was redirected to {response.url}")
            return response.status

    def worker_pids(self) -> list[int]:
        children = subprocess.run(
            ["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True, check=False
        )
        return [int(pid) for pid in children.stdout.split()]

    def stop(self) -> None:
        stop(self.process)


_LATENCY = re.compile(r"^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s)\s*$", re.MULTILINE)
_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, cookie: str, seconds: float) -> dict:
    """Requests per second and the p50 and p99 latency (ms) of ``url`` under wrk's load."""
    command = ["wrk", "--latency", "-t1", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s"]
    for name, value in _headers(cookie).items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run([*command, url], capture_output=True, text=True, check=True)
    return wrk_figures(done.stdout, url)


def wrk_figures(output: str, url: str = "") -> dict:
    """Read wrk's report; a run that saw an error response or a socket error measured nothing."""
    if "Non-2xx or 3xx responses" in output or "Socket errors" in output:
        raise SystemExit(f"wrk saw errors on {url}:\n{output}")
    latency = {p: float(v) * _UNITS[u] for p, v, u in _LATENCY.findall(output)}
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": latency["50"],
        "p99_ms": latency["99"],
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
    }


def run(*, target: Target, data: BenchData, smoke: bool) -> dict:
    """Every page's throughput, latency and query count, and the gunicorn workers' peak memory."""
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: make bench installs it (apt-get install wrk).")
    seconds, rounds = (1, 1) if smoke else (3, 3)
    pages = pages_for(data)
    cookies = {
        page.key: signed_in_cookie(page.signed_in_as) if page.signed_in_as else "" for page in pages
    }
    results = {
        page.key: {
            "label": page.label,
            "url": page.url,
            "reference": page.reference,
            "queries": query_count(page, cookies[page.key]),
            "rounds": [],
        }
        for page in pages
    }
    server = Gunicorn(target)
    try:
        for page in pages:
            server.get(page.url, cookies[page.key])
            wrk(server.base + page.url, cookies[page.key], 1)  # warm every worker
        for _ in range(rounds):
            for page in pages:
                results[page.key]["rounds"].append(
                    wrk(server.base + page.url, cookies[page.key], seconds)
                )
        memory = max(memory_mb(pid)["VmHWM"] for pid in server.worker_pids())
    finally:
        server.stop()
    for figures in results.values():
        ordered = sorted(figures["rounds"], key=lambda r: r["rps"])
        figures.update({k: v for k, v in ordered[len(ordered) // 2].items() if k != "requests"})
    return {
        "workers": GUNICORN_WORKERS,
        "connections": WRK_CONNECTIONS,
        "seconds": seconds,
        "rounds": rounds,
        "gunicorn_worker_peak_rss_mb": round(memory, 1),
        "pages": results,
    }
