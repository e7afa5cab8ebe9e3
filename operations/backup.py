"""Backups that restore: a PostgreSQL dump with a manifest, and a restore that proves itself.

``backup_create`` runs ``pg_dump --format=custom`` of the configured database into
``settings.BACKUP_DIR`` (mode 700; each file mode 600) and writes a manifest beside the dump: when,
the app's version and commit, the last migration of each app, the rows of every table, the dump's
SHA-256, and a checksum of the clinical tables computed by PostgreSQL. The counts and checksums
are read in the very snapshot pg_dump copies (``pg_export_snapshot``), so a clinic that keeps
working during the backup still gets a manifest that matches its dump.

``backup_restore`` loads a dump into a database that is new or empty (never one that holds
anything), then reads the restored database the same way and lists every difference from the
manifest. A dump whose SHA-256 differs from its manifest's is refused before anything is written.

SQLite (the zero-setup default) is refused: copy the file with SQLite's own ``.backup`` instead.
"""

import datetime
import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

import psycopg2
from django.apps import apps
from django.conf import settings
from django.db import connections
from django.db.models import Model
from django.utils import timezone
from psycopg2 import sql
from psycopg2.extensions import ISOLATION_LEVEL_REPEATABLE_READ, make_dsn

# The clinical tables: what a participant told us and what the clinic did for them. Their content
# is checksummed row by row in every manifest and compared after a restore; the README lists them
# (README, Operations). Many-to-many tables of these models (a check-in's practices) count
# too. Every model participants' retention path calls clinical is here (a test keeps it so).
CLINICAL_MODELS = (
    "participants.Screening",
    "participants.ConsentSignature",
    "participants.SafetyAlert",
    "participants.AuditEvent",
    "sessions_app.Enrollment",
    "sessions_app.EnrollmentEvent",
    "cohorts.CohortMember",
    "followup.CheckIn",
    "dosing.Arrival",
    "dosing.PreDoseReading",
    "dosing.GateOverride",
    "dosing.NotDosed",
    "dosing.MonitorPresence",
    "dosing.Dose",
    "dosing.Vitals",
    "dosing.AdverseEvent",
    "dosing.Discharge",
)

MANIFEST_FORMAT = 1
# Every setting that changes how PostgreSQL writes a row as text, fixed for the checksum, so the
# same rows give the same checksum from any session, server or client.
_STABLE_TEXT = (
    "SET LOCAL TimeZone = 'UTC'",
    "SET LOCAL DateStyle = 'ISO, YMD'",
    "SET LOCAL IntervalStyle = 'postgres'",
    "SET LOCAL extra_float_digits = 1",
    "SET LOCAL bytea_output = 'hex'",
)
_TOOL_TIMEOUT_SECONDS = 6 * 60 * 60


class BackupRefused(Exception):
    """The backup or restore was refused or failed; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    dump: Path
    manifest: Path
    tables: int
    clinical_checksum: str


@dataclass
class RestoreReport:
    target: str
    created: bool
    problems: list[str] = field(default_factory=list)


def clinical_models() -> list[type[Model]]:
    return [apps.get_model(label) for label in CLINICAL_MODELS]


def clinical_tables() -> list[tuple[str, str]]:
    """(table, primary key column) of every clinical table, its many-to-many tables included."""
    tables = []
    for model in clinical_models():
        tables.append((model._meta.db_table, model._meta.pk.column))
        for m2m in model._meta.local_many_to_many:
            through = m2m.remote_field.through
            if through._meta.auto_created:
                tables.append((through._meta.db_table, through._meta.pk.column))
    return sorted(tables)


# --- Reading a database ----------------------------------------------------------------------


def database_settings(database: dict | None = None) -> dict:
    """The Django settings of the database to read: the configured one unless given."""
    database = database or connections["default"].settings_dict
    if database["ENGINE"] == "django.db.backends.postgresql":
        return database
    if database["ENGINE"] == "django.db.backends.sqlite3":
        raise BackupRefused(
            "Backups here are PostgreSQL dumps, and this installation runs on SQLite "
            f"({database['NAME']}), meant for trying the app. Copy its file with SQLite's own "
            f"online backup instead (sqlite3 {database['NAME']} \".backup 'copy.sqlite3'\"), "
            "and move to PostgreSQL (DATABASE_URL) before holding real records."
        )
    raise BackupRefused(
        f"Backups here are PostgreSQL dumps; {database['ENGINE']} is not PostgreSQL."
    )


def _connection_params(database: dict, name: str | None = None) -> dict:
    params = {
        "dbname": name or database["NAME"],
        "user": database.get("USER"),
        "password": database.get("PASSWORD"),
        "host": database.get("HOST"),
        "port": database.get("PORT"),
        **database.get("OPTIONS", {}),
    }
    return {key: str(value) for key, value in params.items() if value not in (None, "")}


def connect(database: dict, name: str | None = None):
    return psycopg2.connect(**_connection_params(database, name))


def client_tool(name: str, database: dict, dbname: str) -> tuple[str, str, dict]:
    """A PostgreSQL client tool from PATH, the connection string it takes (never the password,
    which would show in the process list) and its environment (which carries the password)."""
    path = shutil.which(name)
    if path is None:
        raise BackupRefused(
            f"{name} is not on PATH: install PostgreSQL's client tools, of the server's major "
            "version or newer."
        )
    params = _connection_params(database, dbname)
    env = {**os.environ}
    if "password" in params:
        env["PGPASSWORD"] = params.pop("password")
    return path, make_dsn(**params), env


def row_counts(cursor) -> dict[str, int]:
    """The rows of every table of the current schema, by table name."""
    cursor.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY c.relname"
    )
    counts = {}
    for (table,) in cursor.fetchall():
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        counts[table] = cursor.fetchone()[0]
    return counts


def clinical_checksums(cursor, tables: list[tuple[str, str]] | None = None) -> dict:
    """Per clinical table, its rows and the SHA-256 of its rows' text in primary key order, and
    one checksum over all of them. PostgreSQL computes each table's (md5 of each row as text,
    joined in key order, then SHA-256); the tables are combined in name order. ``tables``
    (table, key column) defaults to today's clinical tables; a restore passes the manifest's."""
    for statement in _STABLE_TEXT:
        cursor.execute(statement)
    found = {}
    for table, pk in tables or clinical_tables():
        cursor.execute(
            sql.SQL(
                "SELECT count(*), encode(sha256(convert_to("
                "coalesce(string_agg(md5(t::text), '' ORDER BY t.{pk}), ''), 'UTF8')), 'hex') "
                "FROM {table} AS t"
            ).format(pk=sql.Identifier(pk), table=sql.Identifier(table))
        )
        rows, digest = cursor.fetchone()
        found[table] = {"key": pk, "rows": rows, "sha256": digest}
    return {"tables": found, "checksum": combined_checksum(found)}


def combined_checksum(tables: dict) -> str:
    lines = "".join(f"{name}:{t['rows']}:{t['sha256']}\n" for name, t in sorted(tables.items()))
    return hashlib.sha256(lines.encode()).hexdigest()


def last_migrations(cursor) -> dict[str, str]:
    """The migration each app applied last."""
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
    return dict(cursor.fetchall())


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as dump:
        for chunk in iter(lambda: dump.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _app_version() -> str:
    try:
        return metadata.version("journease")
    except metadata.PackageNotFoundError:
        return "unknown"


def _git_commit() -> str | None:
    """The commit of the code that made the backup, when it runs from a git checkout."""
    git = shutil.which("git")
    if git is None or not (settings.BASE_DIR / ".git").exists():
        return None
    try:
        result = subprocess.run(  # noqa: S603 - a fixed command, no input from outside
            [git, "-C", str(settings.BASE_DIR), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if result.returncode != 0:
        return None
    return result.stdout.strip() or None


def _write_private(path: Path, text: str) -> None:
    """Write a new file readable by its owner only, from its first byte."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)


def _private_folder(folder: Path) -> Path:
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)
    return folder


def tool_failed(name: str, result: subprocess.CompletedProcess) -> BackupRefused:
    return BackupRefused(f"{name} failed (exit {result.returncode}):\n{result.stderr.strip()}")


# --- Backup ----------------------------------------------------------------------------------


def backup_create(
    *,
    folder: Path | None = None,
    database: dict | None = None,
    now: datetime.datetime | None = None,
) -> BackupResult:
    """Dump the database (custom format) and write its manifest beside it; both mode 600."""
    database = database_settings(database)
    folder = _private_folder(Path(folder or settings.BACKUP_DIR))
    now = (now or timezone.now()).astimezone(datetime.UTC).replace(microsecond=0)
    stem = f"journease-{now:%Y%m%dT%H%M%SZ}"
    dump, manifest_path = folder / f"{stem}.dump", folder / f"{stem}.json"
    if dump.exists() or manifest_path.exists():
        raise BackupRefused(f"{dump} already exists: wait a second and run the backup again.")
    partial = folder / f".{stem}.dump.partial"
    pg_dump, dsn, env = client_tool("pg_dump", database, database["NAME"])

    connection = connect(database)
    try:
        connection.set_session(isolation_level=ISOLATION_LEVEL_REPEATABLE_READ, readonly=True)
        with connection.cursor() as cursor:
            # pg_dump copies exactly this snapshot, and the manifest is read from it too.
            cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
            snapshot, server_version = cursor.fetchone()
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                with os.fdopen(descriptor, "wb") as out:
                    result = subprocess.run(  # noqa: S603 - the tool from PATH, our own arguments
                        [pg_dump, "--format=custom", "--no-password", f"--snapshot={snapshot}"]
                        + [f"--dbname={dsn}"],
                        stdout=out,
                        stderr=subprocess.PIPE,
                        env=env,
                        text=False,
                        timeout=_TOOL_TIMEOUT_SECONDS,
                        check=False,
                    )
                if result.returncode != 0:
                    result.stderr = result.stderr.decode(errors="replace")
                    raise tool_failed("pg_dump", result)
                counts = row_counts(cursor)
                clinical = clinical_checksums(cursor)
                migrations = last_migrations(cursor)
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
        connection.rollback()
    finally:
        connection.close()

    partial.rename(dump)
    manifest = {
        "format": MANIFEST_FORMAT,
        "created_at": now.isoformat().replace("+00:00", "Z"),
        "app_version": _app_version(),
        "git_commit": _git_commit(),
        "database": database["NAME"],
        "server_version": server_version,
        "pg_dump_version": _tool_version(pg_dump),
        "dump": {"file": dump.name, "bytes": dump.stat().st_size, "sha256": file_sha256(dump)},
        "migrations": migrations,
        "row_counts": counts,
        "clinical": clinical,
    }
    _write_private(manifest_path, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return BackupResult(
        dump=dump,
        manifest=manifest_path,
        tables=len(counts),
        clinical_checksum=clinical["checksum"],
    )


def _tool_version(path: str) -> str:
    result = subprocess.run(  # noqa: S603 - the tool from PATH asked for its version
        [path, "--version"], capture_output=True, text=True, timeout=30, check=False
    )
    return result.stdout.strip()


def manifest_path_for(dump: Path) -> Path:
    return dump.with_suffix(".json")


def manifest_read(path: Path) -> dict:
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError:
        raise BackupRefused(
            f"No manifest {path} beside the dump: a restore is checked against it."
        ) from None
    except (OSError, ValueError) as error:
        raise BackupRefused(f"The manifest {path} cannot be read: {error}") from None
    if manifest.get("format") != MANIFEST_FORMAT:
        raise BackupRefused(f"The manifest {path} is not one this version reads.")
    return manifest
