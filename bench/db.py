"""The benchmark's PostgreSQL database: recreated empty for every scale, on the server given."""

import shutil
import subprocess
import time

import psycopg2
from psycopg2 import sql

from bench.config import Target


def _server(target: Target):
    db = target.database
    connection = psycopg2.connect(
        host=db["host"],
        port=db["port"],
        user=db["user"],
        password=db["password"],
        dbname="postgres",
    )
    connection.autocommit = True
    return connection


def database_recreate(target: Target) -> None:
    """Drop the benchmark's database (closing whatever is connected to it) and create it empty."""
    name = target.database["name"]
    if not name.startswith("journease_bench"):
        raise SystemExit(f"Refusing to drop {name!r}: the benchmark only drops its own databases.")
    connection = _server(target)
    try:
        cursor = connection.cursor()
        cursor.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    finally:
        connection.close()


def max_connections(target: Target) -> int:
    connection = _server(target)
    try:
        cursor = connection.cursor()
        cursor.execute("SHOW max_connections")
        return int(cursor.fetchone()[0])
    finally:
        connection.close()


def max_connections_ensure(target: Target, needed: int) -> int:
    """Raise the server's ``max_connections`` to ``needed`` when it is lower (a restart of a local
    Debian cluster: the setting cannot change while it runs). Returns the value in force."""
    current = max_connections(target)
    if current >= needed:
        return current
    if target.database["host"] not in {"127.0.0.1", "localhost"} or not shutil.which(
        "pg_ctlcluster"
    ):
        raise SystemExit(
            f"PostgreSQL allows {current} connections; the benchmark needs {needed}. "
            f"Run ALTER SYSTEM SET max_connections = {needed} and restart the server."
        )
    connection = _server(target)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version_num")
            major = int(cursor.fetchone()[0]) // 10000
            cursor.execute(f"ALTER SYSTEM SET max_connections = {int(needed)}")
    finally:
        connection.close()
    print(f"Raising PostgreSQL max_connections from {current} to {needed} (restarting the server)")
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", str(major), "main", "restart"], check=True
    )
    for _ in range(60):
        try:
            return max_connections(target)
        except psycopg2.OperationalError:
            time.sleep(0.5)
    raise SystemExit("PostgreSQL did not come back after raising max_connections.")
