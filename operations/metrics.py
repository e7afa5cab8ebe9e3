"""The Prometheus metrics: request latency by view (django-prometheus's middleware), and the
clinic's own gauges, computed when Prometheus scrapes, in a fixed number of queries.

No label carries personal data: views are labelled by their URL name (``sessions_app:
session_detail``), never by path, and the gauges are plain counts and ages with no labels at all.

Who may read them: addresses in ``METRICS_ALLOWED_IPS`` (single addresses or networks, read as
the rest of the app reads a client's address, ``participants.request_info.client_ip``) or a
request carrying ``Authorization: Bearer <METRICS_TOKEN>``; the view answers 404 to anyone else.
"""

import datetime
import hmac
import ipaddress
import logging
import os
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_prometheus.middleware import PrometheusAfterMiddleware, PrometheusBeforeMiddleware
from prometheus_client import REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from journease.tasks import HEARTBEAT_CACHE_KEY
from outbox.models import Notification, NotificationStatus
from participants.models import AlertStatus, SafetyAlert
from participants.request_info import client_ip

logger = logging.getLogger(__name__)

FAILED_WINDOW = datetime.timedelta(hours=1)
# DESIGN.md: an alert nobody acknowledged within 30 minutes is escalated; one still open past
# that is what an operator must see.
ALERT_OVERDUE_AFTER = datetime.timedelta(minutes=30)
# Read by prometheus_client: the folder where gunicorn's worker processes write their metrics.
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"


# --- Request latency by view --------------------------------------------------------------------

_KNOWN_METHODS = {"GET", "HEAD", "POST", "PUT", "DELETE", "TRACE", "OPTIONS", "CONNECT", "PATCH"}


class RequestMetricsBeforeMiddleware(PrometheusBeforeMiddleware):
    """First in ``MIDDLEWARE``: counts every request and times it through all middleware."""


class RequestMetricsAfterMiddleware(PrometheusAfterMiddleware):
    """Near the end of ``MIDDLEWARE``: counts and times each request by view and method.

    django-prometheus labels its latency histogram with the raw method: a client inventing
    methods would add a time series per invention. Unknown methods share one label here.
    """

    def label_metric(self, metric, request, response=None, **labels):
        if "method" in labels and labels["method"] not in _KNOWN_METHODS:
            labels["method"] = "<invalid method>"
        return super().label_metric(metric, request, response, **labels)


# --- The clinic's gauges ------------------------------------------------------------------------


@dataclass(frozen=True)
class ClinicGauges:
    """One scrape's figures (see ``clinic_gauges``)."""

    outbox_due: int
    outbox_sending: int
    outbox_failed_last_hour: int
    outbox_oldest_due_age_seconds: float
    beat_heartbeat_age_seconds: float
    safety_alerts_open_overdue: int


def _heartbeat_age(now: datetime.datetime) -> float:
    """Seconds since beat's heartbeat task last ran on a worker; infinite when never (or the cache
    cannot be read), so an alert on its age fires rather than stays silent."""
    try:
        stamp = cache.get(HEARTBEAT_CACHE_KEY)
    except Exception:
        logger.warning("metrics: the heartbeat could not be read from the cache", exc_info=True)
        return float("inf")
    moment = parse_datetime(stamp) if isinstance(stamp, str) else None
    if moment is None:
        return float("inf")
    return max((now - moment).total_seconds(), 0.0)


def clinic_gauges(*, now: datetime.datetime | None = None) -> ClinicGauges:
    """What an operator alerts on, in two queries and one cache read, whatever the data's size.

    *Due* is what ``outbox.selectors.outbox_health`` (and so ``/healthz``) calls due: a pending
    message whose time has come, a retry waiting for its back-off included (it is late for its
    reader all the same). *Sending* counts claimed rows, stuck ones too. *Failed in the last
    hour*: rows that ended failed within the hour.
    """
    now = now or timezone.now()
    due = Q(status=NotificationStatus.PENDING, due_at__lte=now)
    outbox = Notification.objects.filter(
        Q(status__in=[NotificationStatus.PENDING, NotificationStatus.SENDING])
        | Q(status=NotificationStatus.FAILED, updated_at__gte=now - FAILED_WINDOW)
    ).aggregate(
        due=Count("pk", filter=due),
        sending=Count("pk", filter=Q(status=NotificationStatus.SENDING)),
        failed=Count("pk", filter=Q(status=NotificationStatus.FAILED)),
        oldest_due=Min("due_at", filter=due),
    )
    overdue_alerts = SafetyAlert.objects.filter(
        status=AlertStatus.OPEN, created_at__lte=now - ALERT_OVERDUE_AFTER
    ).count()
    oldest = outbox["oldest_due"]
    return ClinicGauges(
        outbox_due=outbox["due"],
        outbox_sending=outbox["sending"],
        outbox_failed_last_hour=outbox["failed"],
        outbox_oldest_due_age_seconds=max((now - oldest).total_seconds(), 0.0) if oldest else 0.0,
        beat_heartbeat_age_seconds=_heartbeat_age(now),
        safety_alerts_open_overdue=overdue_alerts,
    )


_GAUGES = (
    (
        "journease_outbox_due_messages",
        "Pending messages whose due time has passed (waiting for the sweep or a retry).",
        "outbox_due",
    ),
    (
        "journease_outbox_sending_messages",
        "Messages claimed by a sweep and not yet recorded as sent, failed or retried.",
        "outbox_sending",
    ),
    (
        "journease_outbox_failed_last_hour_messages",
        "Messages that ended failed within the last hour.",
        "outbox_failed_last_hour",
    ),
    (
        "journease_outbox_oldest_due_age_seconds",
        "How long the oldest due pending message has waited (0 when none waits).",
        "outbox_oldest_due_age_seconds",
    ),
    (
        "journease_beat_heartbeat_age_seconds",
        "Seconds since the beat heartbeat task last ran on a worker (+Inf when never).",
        "beat_heartbeat_age_seconds",
    ),
    (
        "journease_safety_alerts_open_overdue",
        "Safety alerts still open (unacknowledged) 30 minutes or more after they were raised.",
        "safety_alerts_open_overdue",
    ),
)


class ClinicCollector:
    """A prometheus_client collector that reads ``clinic_gauges`` on every scrape."""

    def collect(self):
        gauges = clinic_gauges()
        for name, documentation, field in _GAUGES:
            yield GaugeMetricFamily(name, documentation, value=getattr(gauges, field))

    def describe(self):
        # Described without a scrape's queries (registering a collector calls this).
        for name, documentation, _field in _GAUGES:
            yield GaugeMetricFamily(name, documentation)


_clinic_registry = CollectorRegistry(auto_describe=False)
_clinic_registry.register(ClinicCollector())


def exposition() -> bytes:
    """The text Prometheus reads: this process's request metrics (or, under gunicorn with
    ``PROMETHEUS_MULTIPROC_DIR`` set, every worker process's, summed), then the clinic's gauges."""
    if os.environ.get(MULTIPROCESS_ENV):
        process_registry = CollectorRegistry()
        MultiProcessCollector(process_registry)
    else:
        process_registry = REGISTRY
    return generate_latest(process_registry) + generate_latest(_clinic_registry)


# --- Who may read them --------------------------------------------------------------------------


def _allowed_networks() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    networks = []
    for entry in settings.METRICS_ALLOWED_IPS:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            logger.warning("METRICS_ALLOWED_IPS: %r is not an address or a network", entry)
    return networks


def _from_allowed_address(request) -> bool:
    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return False
    return any(address in network for network in _allowed_networks())


def _bearer_token_matches(request) -> bool:
    expected = settings.METRICS_TOKEN
    if not expected:
        return False
    scheme, _space, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not given:
        return False
    return hmac.compare_digest(given.strip().encode(), expected.encode())


def metrics_access_allowed(request) -> bool:
    """From an allowed address, or with the metrics token (compared in constant time)."""
    return _bearer_token_matches(request) or _from_allowed_address(request)
