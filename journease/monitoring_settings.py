"""Settings of the monitoring endpoint ``/metrics`` (operations/metrics.py), read from the
environment; ``journease.settings`` takes them in. docs/operations-monitoring.md explains them."""

import os


def _list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name, "")
    return [item.strip() for item in value.split(",") if item.strip()] or default


# Addresses or networks (comma-separated) that may read /metrics, as the app reads a client's
# address (participants.request_info.client_ip: behind a proxy, the address it forwarded).
METRICS_ALLOWED_IPS = _list("METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"])
# A request with "Authorization: Bearer <METRICS_TOKEN>" may read it from anywhere; unset (the
# default), no token is accepted.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
# Prometheus on the same machine scrapes gunicorn over plain HTTP on the loopback; every other
# page still redirects to HTTPS.
SECURE_REDIRECT_EXEMPT = [r"^metrics$"]
