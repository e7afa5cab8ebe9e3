"""gunicorn's configuration for the journease-web service (deploy/systemd/journease-web.service).

The request metrics of every worker process are kept in PROMETHEUS_MULTIPROC_DIR (the unit gives
an empty folder at each start), so that a scrape of /metrics sees all of them; a worker that exits
is marked dead there, or its counts would linger.
"""

from prometheus_client import multiprocess

bind = "127.0.0.1:8000"
workers = 3
# nginx on the same machine is the only proxy whose forwarded headers gunicorn believes.
forwarded_allow_ips = "127.0.0.1"
accesslog = "-"
errorlog = "-"


def child_exit(server, worker):
    multiprocess.mark_process_dead(worker.pid)
