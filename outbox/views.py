"""The health check: whether the database and the broker answer, and how the outbox is doing.

It lives with the outbox because the broker and the outbox are what it watches beyond the
database; it shows no personal data.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from journease.celery import app as celery_app
from journease.tasks import HEARTBEAT_CACHE_KEY
from outbox.selectors import outbox_health

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.warning("health check: database did not answer", exc_info=True)
        return False


def _broker_ok() -> bool:
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
            # Redis: a real round trip; the filesystem broker answers once its folder exists.
            if hasattr(conn.default_channel, "client"):
                conn.default_channel.client.ping()
        return True
    except Exception:
        logger.warning("health check: broker did not answer", exc_info=True)
        return False


def _outbox_health(database_ok: bool) -> dict:
    empty = {"messages_failed_last_hour": None, "oldest_due_pending_seconds": None}
    if not database_ok:
        return empty
    try:
        return outbox_health()
    except Exception:
        logger.warning("health check: outbox could not be read", exc_info=True)
        return empty


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database and the broker both answer, 503 otherwise; no personal data."""
    database, broker = _database_ok(), _broker_ok()
    try:
        heartbeat = cache.get(HEARTBEAT_CACHE_KEY)
    except Exception:
        heartbeat = None
    body = {
        "status": "ok" if database and broker else "unavailable",
        "database": "ok" if database else "unavailable",
        "broker": "ok" if broker else "unavailable",
        "broker_transport": celery_app.conf.broker_url.split(":", 1)[0],
        "worker_heartbeat": heartbeat,
        "debug": settings.DEBUG,
        # What an operator alerts on; it does not change the status code (the database and the
        # broker alone decide that).
        **_outbox_health(database),
    }
    return JsonResponse(body, status=200 if database and broker else 503)
