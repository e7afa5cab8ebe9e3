"""Hostile input to every form and every query parameter (``registry.py``), as the role that may
use each, on PostgreSQL (a NUL byte, a value longer than its column, fail there and not on SQLite).

Asserted for every submission: no 5xx; an injected ``<script>`` marker never comes back unescaped;
and a refused submission (anything but a redirect) leaves every table's row count as it was.

The values are drawn by ``random.Random(seed)``: the seed is printed with every failure and
replayed with ``JOURNEASE_FUZZ_SEED=<seed>``; the default is fixed, so CI draws the same values
on every run. ``JOURNEASE_FUZZ_VALUES`` sets how many values each field or parameter gets.
"""

import datetime
import os
import random
import warnings
from dataclasses import dataclass
from urllib.parse import quote_from_bytes

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.tokens import default_token_generator
from django.db import connection, transaction
from django.forms import BaseForm
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from participants.models import AuditEvent, Role
from participants.services.consent import ensure_default_consent_document
from sessions_app.calendars import calendar_feed_for
from sessions_app.models import SessionStatus
from tests import factories
from tests.auth import sign_in
from tests.clock import local
from tests.hostile import registry

pytestmark = [pytest.mark.django_db, pytest.mark.services("postgres")]

SEED = int(os.environ.get("JOURNEASE_FUZZ_SEED", "17"))
VALUES_PER_FIELD = int(os.environ.get("JOURNEASE_FUZZ_VALUES", "3"))

MARKER = "<script>jz-hostile()</script>"
RAW_MARKER = b"<script>jz-hostile("

# Every value is text or raw bytes (a lone surrogate cannot be UTF-8 text: it is sent as the bytes
# a careless client would send, as "where representable" allows).
# Sent to every field and parameter: what issue 17's crawl found, and the marker.
ALWAYS: tuple[str | bytes, ...] = ("\x00", MARKER, "²", "0001-01-01", "9999-12-31", "x" * 5000)
# Each field and parameter also gets VALUES_PER_FIELD of these, drawn with the seed.
POOL: tuple[str | bytes, ...] = (
    "abc\x00def",
    "é" * 300,
    "١٢٣",
    "９",
    "9" * 40,
    "-1",
    "-9223372036854775809",
    "9223372036854775808",
    "2147483648",
    "0",
    "1e309",
    "NaN",
    "1.5",
    "2027-02-30",
    "99999-01-01",
    "24:00",
    "23:59:59.9999999",
    "' OR '1'='1' --",
    '"; DROP TABLE participants_user; --',
    "%00",
    "   ",
    "\t\r\n",
    "",
    "\u202eevil",
    "\u200b",
    "🙂" * 50,
    "true",
    "[]",
    "{}",
    "a" * 300 + "@example.org",
    "https://evil.example/",
    "//evil.example",
    '"><img src=x onerror=alert(1)>',
    b"\xed\xa0\x80",  # a lone surrogate, UTF-8-encoded
    b"\xff\xfe",  # not UTF-8 at all
)


def values_for(rng: random.Random) -> list[str | bytes]:
    return [*ALWAYS, *rng.sample(POOL, VALUES_PER_FIELD)]


def encode(pairs: list[tuple[str, str | bytes | list]]) -> str:
    """A urlencoded body or query, raw bytes kept as they are; a list repeats the name (the
    wrong type for a single-valued field)."""
    parts = []
    for name, value in pairs:
        for item in value if isinstance(value, list) else [value]:
            raw = item if isinstance(item, bytes) else str(item).encode()
            parts.append(f"{quote_from_bytes(name.encode())}={quote_from_bytes(raw)}")
    return "&".join(parts)


@dataclass
class World:
    """The rows the targets need, and a signed-in client per role."""

    clients: dict
    session_type: object
    room: object
    session: object
    spare_session: object
    dosing_session: object
    past_session: object
    past_seat: object
    seat: object
    offer: object
    draft: object
    submitted: object
    alert: object
    interpreter_waiting: object
    checkin: object
    flag_rule: object
    coordinator: object
    spare_staff: object
    new_participant: object
    future_day: datetime.date
    reset_uid: str
    reset_url: str
    sms_token: str


@pytest.fixture
def world(screening_defaults, settings) -> World:
    settings.SMS_INBOUND_TOKEN = "fuzz-token"
    ensure_default_consent_document()
    room = factories.RoomFactory(capacity=12)
    session_type = factories.SessionTypeFactory()
    monday = local(2031, 5, 12, 18)
    session = factories.GroupSessionFactory(
        session_type=session_type, room=room, starts_at=monday, ends_at=local(2031, 5, 12, 19, 30)
    )
    spare = factories.GroupSessionFactory(
        session_type=session_type, room=room, starts_at=local(2031, 5, 13, 18)
    )
    dosing = factories.GroupSessionFactory(
        session_type=factories.DosingSessionTypeFactory(), starts_at=local(2031, 5, 14, 9)
    )
    full = factories.GroupSessionFactory(starts_at=local(2031, 5, 15, 18), capacity=1)
    participant = factories.EligibleParticipantFactory()
    seat = factories.EnrollmentFactory(participant=participant, session=session)
    factories.EnrollmentFactory(session=full)
    offer = factories.WaitlistEntryFactory(participant=participant, session=full, offered=True)
    past = factories.GroupSessionFactory(
        session_type=session_type,
        starts_at=local(2031, 4, 28, 18),
        status=SessionStatus.PUBLISHED,
    )
    past_seat = factories.EnrollmentFactory(session=past)
    draft = factories.ScreeningFactory(participant=participant)
    submitted = factories.SubmittedScreeningFactory()
    alert = factories.SafetyAlertFactory(participant=submitted.participant, screening=submitted)
    # A Spanish reader's screening whose PHQ-9 waits for a clinician and an interpreter.
    interpreter_waiting = factories.SubmittedScreeningFactory(
        instrument_languages={"phq9": {"language": "es", "interpreter": "needed"}}
    )
    checkin = factories.CheckInFactory(
        enrollment=factories.AttendedDosingEnrollmentFactory(participant=participant)
    )
    new_participant = factories.ParticipantFactory()
    coordinator = factories.StaffFactory(role=Role.COORDINATOR)
    clinician = factories.StaffFactory(
        role=Role.CLINICIAN, permissions=["decide_eligibility", "monitor_dosing"]
    )
    unverified = factories.StaffFactory(role=Role.COORDINATOR)
    unverified_client = Client()
    unverified_client.force_login(unverified)
    from participants.models import FlagRule

    uid = urlsafe_base64_encode(force_bytes(new_participant.pk))
    token = default_token_generator.make_token(new_participant)
    calendar_feed_for(participant=participant)
    return World(
        clients={
            registry.ANONYMOUS: Client(),
            registry.PARTICIPANT: sign_in(participant),
            registry.NEW_PARTICIPANT: sign_in(new_participant),
            registry.COORDINATOR: sign_in(coordinator),
            registry.CLINICIAN: sign_in(clinician),
            registry.ADMIN: sign_in(factories.StaffFactory(role=Role.ADMIN)),
            registry.STAFF_UNVERIFIED: unverified_client,
        },
        session_type=session_type,
        room=room,
        session=session,
        spare_session=spare,
        dosing_session=dosing,
        past_session=past,
        past_seat=past_seat,
        seat=seat,
        offer=offer,
        draft=draft,
        submitted=submitted,
        alert=alert,
        interpreter_waiting=interpreter_waiting,
        checkin=checkin,
        flag_rule=FlagRule.objects.order_by("pk").first(),
        coordinator=coordinator,
        spare_staff=factories.StaffFactory(role=Role.COORDINATOR),
        new_participant=new_participant,
        future_day=datetime.date(2031, 6, 2),
        reset_uid=uid,
        reset_url=reverse(
            "participants:password_reset_confirm", kwargs={"uidb64": uid, "token": token}
        ),
        sms_token=settings.SMS_INBOUND_TOKEN,
    )


def _counted_models():
    return [
        model
        for app in ("outbox", "participants", "sessions_app", "dosing", "cohorts", "followup")
        for model in apps.get_app_config(app).get_models()
        if model is not AuditEvent  # every page that opens a clinical record writes one
    ]


def row_counts() -> dict[str, int]:
    """Every counted table's rows, in one query (this runs around every refused POST)."""
    models = _counted_models()
    quote = connection.ops.quote_name
    # Table names from the models, never from input.
    sql = "SELECT " + ", ".join(  # noqa: S608
        f"(SELECT COUNT(*) FROM {quote(model._meta.db_table)})"  # noqa: S608
        for model in models
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        counts = cursor.fetchone()
    return {model._meta.label: count for model, count in zip(models, counts, strict=True)}


def refused(response) -> bool:
    """A submission the view turned down: an error status, or a page showing a bound form with
    errors (a success either redirects or, like the weekly series, shows a page without one)."""
    if 300 <= response.status_code < 400:
        return False
    if response.status_code >= 400:
        return True
    contexts = response.context or []
    if not isinstance(contexts, list):
        contexts = [contexts]
    for context in contexts:
        for layer in getattr(context, "dicts", [context]):
            for value in layer.values() if hasattr(layer, "values") else ():
                if isinstance(value, BaseForm) and value.is_bound and value.errors:
                    return True
    return False


class Findings:
    def __init__(self):
        self.problems: list[str] = []
        self.requests = 0

    def check(self, label: str, what: str, response, *, before=None, allowed=()) -> None:
        self.requests += 1
        status = response.status_code
        if status >= 500:
            self.problems.append(f"{label}: {what} -> {status}")
            return
        body = response.content if not getattr(response, "streaming", False) else b""
        if RAW_MARKER in body:
            self.problems.append(f"{label}: {what} -> the <script> marker came back unescaped")
        if before is not None and refused(response):
            after = row_counts()
            changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
            for label_ in allowed:
                changed.pop(label_, None)
            if changed:
                self.problems.append(f"{label}: {what} -> refused ({status}) but saved {changed}")


def _request(client, method: str, path: str, body: str, headers: dict):
    """One request in a savepoint: whatever a view does to the transaction stays in it."""
    with transaction.atomic():
        if method == "GET":
            response = client.get(f"{path}?{body}", headers=headers)
        else:
            response = client.post(
                path, body, content_type="application/x-www-form-urlencoded", headers=headers
            )
        if response.status_code >= 500:
            transaction.set_rollback(True)
    return response


def _resolve(value, world):
    return value(world) if callable(value) else value


def fuzz_form(target: registry.FormTarget, world: World, rng, findings: Findings) -> None:
    client = world.clients[target.role]
    client.raise_request_exception = False
    path = reverse(target.url_name, kwargs=_resolve(target.kwargs, world) or {})
    headers = _resolve(target.headers, world) or {}
    base = dict(_resolve(target.base, world) or {})
    for name in [*target.field_names(world), *(f"?{p}" for p in target.params)]:
        for value in [*values_for(rng), ["1", "2"]]:
            if target.prime:
                target.prime(world, client)
            if name.startswith("?"):
                query = encode([(name[1:], value)])
                body, url = encode(list(base.items())), f"{path}?{query}"
            else:
                body, url = encode(list({**base, name: value}.items())), path
            before = row_counts()
            response = _request(client, "POST", url, body, headers)
            findings.check(
                target.label,
                f"{name}={value!r:.60}",
                response,
                before=before,
                allowed=target.saves_when_refused,
            )


def fuzz_query(target: registry.QueryTarget, world: World, rng, findings: Findings) -> None:
    client = world.clients[target.role]
    client.raise_request_exception = False
    path = reverse(target.url_name, kwargs=_resolve(target.kwargs, world) or {})
    for name in target.params:
        for value in [*values_for(rng), ["1", "²"]]:
            response = _request(client, "GET", path, encode([(name, value)]), {})
            findings.check(target.label, f"?{name}={value!r:.60}", response)
            if (
                target.role != registry.ANONYMOUS
                and response.status_code == 302
                and response["Location"].startswith(reverse("participants:login"))
            ):
                findings.problems.append(f"{target.label}: signed out, the fuzz went blind")


def admin_targets():
    """Every registered ModelAdmin: its change list's parameters and its add form's fields."""
    for model, model_admin in admin.site._registry.items():
        filters = []
        for spec in model_admin.list_filter:
            name = spec if isinstance(spec, str) else spec[0] if isinstance(spec, tuple) else None
            if name:
                filters += [f"{name}__exact", f"{name}__id__exact", f"{name}__gte"]
            else:
                filters.append(getattr(spec, "parameter_name", None) or "filter")
        yield model, model_admin, (*registry.ADMIN_LIST_PARAMS, *filters)


def fuzz_admin(world: World, rng, findings: Findings) -> None:
    # A date filter given a bare date warns that it is naive; the suite turns that warning into
    # an error (pyproject), production does not: here it stays the warning it is in production.
    warnings.filterwarnings(
        "ignore", message=".*received a naive datetime", category=RuntimeWarning
    )
    client = world.clients[registry.ADMIN]
    client.raise_request_exception = False
    for model, model_admin, params in admin_targets():
        info = (model._meta.app_label, model._meta.model_name)
        changelist = reverse("admin:{}_{}_changelist".format(*info))
        label = f"admin {model._meta.label}"
        for name in params:
            for value in rng.sample([*values_for(rng)], 3):
                response = _request(client, "GET", changelist, encode([(name, value)]), {})
                findings.check(f"{label} list", f"?{name}={value!r:.60}", response)
        request = RequestFactory().get(add_path := reverse("admin:{}_{}_add".format(*info)))
        request.user = client.user
        if not model_admin.has_add_permission(request):
            continue
        add = add_path
        form = model_admin.get_form(request)
        for name in form.base_fields:
            for value in rng.sample([*values_for(rng)], 3):
                before = row_counts()
                response = _request(client, "POST", add, encode([(name, value)]), {})
                findings.check(f"{label} add", f"{name}={value!r:.60}", response, before=before)


def _forms(part: int):
    def run(world, rng, findings):
        for target in registry.FORMS[part::2]:
            fuzz_form(target, world, rng, findings)

    return run


def _queries(world, rng, findings):
    for target in registry.QUERIES:
        fuzz_query(target, world, rng, findings)


# Four parts, so that the suite's workers (pytest -n auto) share them; each part draws from
# its own generator, seeded from SEED and the part's name.
PARTS = {
    "forms-a": _forms(0),
    "forms-b": _forms(1),
    "queries": _queries,
    "admin": fuzz_admin,
}


@pytest.mark.clock("2031-05-01 10:00")
@pytest.mark.parametrize("part", list(PARTS))
def test_hostile_values_to_every_form_and_parameter(world, part, capsys, recwarn):
    rng = random.Random(f"{SEED}-{part}")
    findings = Findings()
    PARTS[part](world, rng, findings)
    with capsys.disabled():
        print(f"\nhostile-input fuzz ({part}): {findings.requests} requests, seed {SEED}")
    assert not findings.problems, f"replay with JOURNEASE_FUZZ_SEED={SEED}:\n" + "\n".join(
        findings.problems[:80]
    )
