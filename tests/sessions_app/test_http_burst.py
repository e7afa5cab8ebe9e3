"""200 participants press "Enroll" at the same moment over real HTTP: gunicorn with several worker
processes and threads in front of PostgreSQL, as production serves the clinic.

The session has 8 seats. Exactly 8 people get one; every other person is told the session is
full and offered its waitlist; nobody sees a server error.

gunicorn runs as a subprocess on the pytest-django test database (``transactional_db``, so it
sees the rows this test commits) with the test settings. Its clock is the wall clock; when the
test's stated clock is far from it (``--clock``), gunicorn runs under Debian's ``faketime`` at the
stated instant, so that both processes agree on what "now" is.
"""

import datetime
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from http.cookies import SimpleCookie
from importlib import import_module
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
import time_machine
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils import timezone

from journease.clinic_time import clinic_datetime, clinic_zone
from participants.models import Role
from sessions_app.models import Enrollment, EnrollmentStatus
from tests.factories import (
    ApprovedScreeningFactory,
    ConsentSignatureFactory,
    GroupSessionFactory,
    ParticipantFactory,
    PreparationSessionTypeFactory,
    RoomFactory,
    StaffFactory,
)
from tests.seat_invariants import seat_snapshot

PEOPLE = 200
SEATS = 8
# 3 processes x 4 threads: at most 12 database connections, well under PostgreSQL's 100.
WORKERS, THREADS = 3, 4
# Beyond this, gunicorn's wall clock and the test's stated clock disagree about the data.
CLOCK_TOLERANCE = datetime.timedelta(hours=1)
FULL_MESSAGE = "This session is full."


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _test_database_url() -> str:
    """The pytest-django test database (its real NAME), as a URL for the subprocess."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{user}{password}@{host}{port}/{db['NAME']}"


def _clock_command() -> list[str]:
    """Nothing when the wall clock is close to the test's stated one; otherwise ``faketime`` at
    the stated instant (ticking from there, as time_machine does)."""
    stated = timezone.now()
    wall = datetime.datetime.fromtimestamp(time_machine.escape_hatch.time.time(), datetime.UTC)
    if abs(stated - wall) <= CLOCK_TOLERANCE:
        return []
    if shutil.which("faketime") is None:
        pytest.skip("the stated clock is far from the wall clock: gunicorn needs faketime")
    return ["faketime", "-f", "@" + stated.astimezone(datetime.UTC).strftime("%Y-%m-%d %H:%M:%S")]


@dataclass
class Server:
    host: str
    port: int
    log_path: Path

    def log_tail(self) -> str:
        return self.log_path.read_text()[-4000:]

    def connect(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection(self.host, self.port, timeout=120)


@contextmanager
def gunicorn(log_dir: Path):
    """gunicorn on a free loopback port, on the test database; stopped by its pid at the end."""
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "DATABASE_URL": _test_database_url(),
        # A connection per request: the processes never hold more than their threads.
        "DATABASE_CONN_MAX_AGE": "0",
        "SECRET_KEY": settings.SECRET_KEY,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        "JOURNEASE_VAR_DIR": str(log_dir),
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        # faketime (when used) keeps one clock across gunicorn's forked workers.
        "TZ": "UTC",
        "FAKETIME_DONT_RESET": "1",
    }
    log_path = log_dir / "gunicorn.log"
    command = [
        *_clock_command(),
        sys.executable,
        "-m",
        "gunicorn",
        "journease.wsgi",
        f"--bind=127.0.0.1:{port}",
        f"--workers={WORKERS}",
        f"--threads={THREADS}",
        "--worker-class=gthread",
        "--timeout=120",
        "--log-level=warning",
    ]
    with log_path.open("w") as log:
        # Its own process group: stopping it by its pid also stops faketime's child, if any.
        process = subprocess.Popen(
            command,
            env=env,
            cwd=settings.BASE_DIR,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        server = Server("127.0.0.1", port, log_path)
        _wait_until_answering(server, process)
        yield server
    finally:
        _stop(process)


def _wait_until_answering(server: Server, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn exited:\n{server.log_tail()}")
        try:
            conn = server.connect()
            conn.request("GET", "/healthz")
            status = conn.getresponse().status
            conn.close()
        except OSError:
            time.sleep(0.2)
            continue
        assert status == 200, f"/healthz answered {status}:\n{server.log_tail()}"
        return
    pytest.fail(f"gunicorn did not answer within a minute:\n{server.log_tail()}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@dataclass
class Browser:
    """What one participant's browser holds: cookies, and the form's CSRF token."""

    cookies: dict[str, str]
    csrf_token: str = ""

    def header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def keep(self, response: http.client.HTTPResponse) -> None:
        for line in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(line).items():
                self.cookies[name] = morsel.value


def visible_page(status: int, html: str) -> str:
    main = re.search(r"<main.*?</main>", html, re.S)
    text = re.sub(r"<[^>]+>", " ", main.group(0) if main else html)
    return f"HTTP {status}: " + re.sub(r"\s+", " ", text).strip()[:800]


def _get(server: Server, browser: Browser, path: str) -> tuple[int, str]:
    conn = server.connect()
    try:
        conn.request("GET", path, headers={"Cookie": browser.header()})
        response = conn.getresponse()
        body = response.read().decode()
        browser.keep(response)
        return response.status, body
    finally:
        conn.close()


def press_at_once(servers, browsers, path) -> list[tuple[int, str]]:
    """Every browser posts the form at ``path`` at the same moment, alternating between
    ``servers``, each connected before the barrier so the requests leave together; the status
    and redirect of each, in the browsers' order."""
    barrier = threading.Barrier(len(browsers))
    answers: list[tuple[int, str] | None] = [None] * len(browsers)
    errors: list[str] = []

    def press(index: int) -> None:
        browser, server = browsers[index], servers[index % len(servers)]
        conn = server.connect()
        try:
            conn.connect()
            barrier.wait(timeout=60)
            conn.request(
                "POST",
                path,
                body=urlencode({"csrfmiddlewaretoken": browser.csrf_token}),
                headers={
                    "Cookie": browser.header(),
                    "Content-Type": "application/x-www-form-urlencoded",
                },
            )
            response = conn.getresponse()
            response.read()
            browser.keep(response)
            answers[index] = (response.status, response.getheader("Location") or "")
        except Exception as error:  # noqa: BLE001 - reported below with the others
            errors.append(f"{type(error).__name__}: {error}")
        finally:
            conn.close()

    threads = [threading.Thread(target=press, args=(i,)) for i in range(len(browsers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)
    assert errors == [], errors[:10]
    return answers


def _signed_in_browser(person) -> Browser:
    """A browser holding a signed-in session for ``person`` (written to the session store as
    signing in does) and a CSRF cookie with its form token (as the enroll form would carry)."""
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(person.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = person.get_session_auth_hash()
    session.create()
    request = HttpRequest()
    token = get_token(request)
    return Browser(
        cookies={
            settings.SESSION_COOKIE_NAME: session.session_key,
            settings.CSRF_COOKIE_NAME: request.META["CSRF_COOKIE"],
        },
        csrf_token=token,
    )


def _messages(browser: Browser) -> list[Message]:
    """The messages waiting in the browser's cookie, read as Django's cookie storage reads them."""
    request = HttpRequest()
    request.COOKIES = dict(browser.cookies)
    return list(CookieStorage(request))


def _eligible_participants(count: int) -> list:
    """Participants who may enroll: approved screening, current consent (one reviewer for all)."""
    reviewer = StaffFactory(role=Role.CLINICIAN)
    people = ParticipantFactory.create_batch(count)
    for person in people:
        ApprovedScreeningFactory(participant=person, decided_by=reviewer)
        ConsentSignatureFactory(participant=person)
    return people


@pytest.mark.services("postgres", "redis")
@pytest.mark.django_db(transaction=True)
def test_two_hundred_participants_posting_at_once_fill_eight_seats_and_no_more(
    roles, screening_defaults, tmp_path
):
    day = timezone.localdate(timezone=clinic_zone()) + datetime.timedelta(days=7)
    starts_at = clinic_datetime(day, datetime.time(18, 0))
    session = GroupSessionFactory(
        session_type=PreparationSessionTypeFactory(),
        starts_at=starts_at,
        ends_at=starts_at + datetime.timedelta(minutes=90),
        room=RoomFactory(capacity=12),
        capacity=SEATS,
    )
    detail = reverse("sessions_app:session_detail", args=[session.pk])
    enroll = reverse("sessions_app:session_enroll", args=[session.pk])
    my_sessions = reverse("sessions_app:my_sessions")
    people = _eligible_participants(PEOPLE)
    browsers = [_signed_in_browser(person) for person in people]

    with gunicorn(tmp_path) as server:
        # One participant opens the page first: signed in, the session open, the form offered.
        status, body = _get(server, browsers[0], detail)
        assert status == 200 and f'action="{enroll}"' in body, visible_page(status, body)

        started = time.monotonic()
        answers = press_at_once([server], browsers, enroll)
        burst_seconds = time.monotonic() - started

        assert None not in answers
        server_errors = [answer for answer in answers if answer[0] >= 500]
        assert server_errors == [], (
            f"{len(server_errors)} server errors; gunicorn's log ends:\n{server.log_tail()}"
        )
        enrolled = [i for i, answer in enumerate(answers) if answer == (302, my_sessions)]
        refused = [i for i, answer in enumerate(answers) if answer == (302, detail)]
        others = [answers[i] for i in range(PEOPLE) if i not in set(enrolled) | set(refused)]
        assert others == [], f"neither a seat nor a refusal: {others[:10]}"
        assert len(enrolled) == SEATS, (
            f"{len(enrolled)} enrolled, {len(refused)} refused in {burst_seconds:.1f} s"
        )

        # Every other person is told that it is full and that they may join the waitlist: the
        # message their browser carries back to the session page, which offers the waitlist.
        told = [
            [m.message for m in _messages(browsers[i]) if m.level == messages.INFO] for i in refused
        ]
        not_told = [
            (i, t) for i, t in zip(refused, told, strict=True) if not t or FULL_MESSAGE not in t[0]
        ]
        assert not_told == [], (
            f"{len(not_told)} refused people were not told it is full: {not_told[:5]}"
        )
        status, body = _get(server, browsers[refused[0]], detail)
        assert status == 200, visible_page(status, body)
        assert FULL_MESSAGE in body and "Join the waitlist" in body, visible_page(status, body)

    # The seats belong to exactly the people who were told they are enrolled.
    seated = Enrollment.objects.filter(session=session, status=EnrollmentStatus.ENROLLED)
    assert set(seated.values_list("participant_id", flat=True)) == {people[i].pk for i in enrolled}
    promises = seat_snapshot(now=timezone.now())
    assert promises.broken == [] and promises.free_while_waiting == {}
