"""Restoring a backup: into a new or empty database only, then checked against its manifest.

The dump's SHA-256 is compared with the manifest's before anything is written, so a damaged or
altered file is refused whole. ``pg_restore`` then runs in one transaction (a failure leaves the
target as empty as it was), and the restored database is read as the backup read the original:
the rows of every table and the clinical tables' checksums must all match the manifest.
"""

import subprocess
from pathlib import Path

from psycopg2 import sql

from operations.backup import (
    BackupRefused,
    RestoreReport,
    client_tool,
    clinical_checksums,
    combined_checksum,
    connect,
    database_settings,
    file_sha256,
    manifest_path_for,
    manifest_read,
    row_counts,
    tool_failed,
)

_RESTORE_TIMEOUT_SECONDS = 6 * 60 * 60
# PostgreSQL's limit on a database name (longer names are cut short without a word).
_MAX_NAME_LENGTH = 63
# What a database holds of its own: relations and functions outside PostgreSQL's schemas.
_HOLDS_ANYTHING_SQL = """
SELECT
  (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%')
+ (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema'))
"""


def backup_restore(*, dump: Path, target: str, database: dict | None = None) -> RestoreReport:
    """Restore ``dump`` into the database ``target`` (created if missing; refused unless empty)
    and list every difference between what was restored and the dump's manifest."""
    database = database_settings(database)
    dump = Path(dump)
    if not dump.is_file():
        raise BackupRefused(f"No dump at {dump}.")
    manifest = manifest_read(manifest_path_for(dump))
    digest = file_sha256(dump)
    if digest != manifest["dump"]["sha256"]:
        raise BackupRefused(
            f"The dump {dump} does not match its manifest: SHA-256 {digest}, the manifest says "
            f"{manifest['dump']['sha256']}. The file was changed or damaged since the backup; "
            "nothing was restored. Use another copy of this backup, or an older backup."
        )
    target = _target_name(target, database)
    created = _target_prepare(database, target)
    pg_restore, dsn, env = client_tool("pg_restore", database, target)
    result = subprocess.run(  # noqa: S603 - the tool from PATH, our own arguments
        [pg_restore, "--no-password", "--exit-on-error", "--single-transaction"]
        + ["--no-owner", "--no-privileges", f"--dbname={dsn}", str(dump)],
        capture_output=True,
        text=True,
        timeout=_RESTORE_TIMEOUT_SECONDS,
        check=False,
    )
    if result.returncode != 0:
        raise tool_failed("pg_restore", result)
    problems = backup_verify(database=database, target=target, manifest=manifest)
    return RestoreReport(target=target, created=created, problems=problems)


def backup_verify(*, database: dict, target: str, manifest: dict) -> list[str]:
    """Every difference between the database ``target`` and the manifest: rows per table, each
    clinical table's checksum, the clinical checksum."""
    connection = connect(database, target)
    try:
        with connection.cursor() as cursor:
            counts = row_counts(cursor)
            expected_clinical = manifest["clinical"]["tables"]
            present = [(t, v["key"]) for t, v in expected_clinical.items() if t in counts]
            clinical = clinical_checksums(cursor, present)
        connection.rollback()
    finally:
        connection.close()

    problems = []
    expected_counts = manifest["row_counts"]
    for table in sorted(set(expected_counts) | set(counts)):
        if table not in counts:
            problems.append(f"table {table} is missing (the backup had {expected_counts[table]})")
        elif table not in expected_counts:
            problems.append(f"table {table} is not in the backup's manifest")
        elif counts[table] != expected_counts[table]:
            problems.append(
                f"table {table}: {counts[table]} rows restored, the backup had "
                f"{expected_counts[table]}"
            )
    for table, expected in sorted(expected_clinical.items()):
        found = clinical["tables"].get(table)
        if found is not None and found["sha256"] != expected["sha256"]:
            problems.append(f"clinical table {table}: its content differs from the backup's")
    checksum = combined_checksum(clinical["tables"])
    if checksum != manifest["clinical"]["checksum"]:
        problems.append(
            f"clinical checksum {checksum} differs from the backup's "
            f"{manifest['clinical']['checksum']}"
        )
    return problems


def _target_name(target: str, database: dict) -> str:
    target = (target or "").strip()
    if not target:
        raise BackupRefused("Name the database to restore into (a new or empty one).")
    if len(target.encode()) > _MAX_NAME_LENGTH or "\x00" in target:
        raise BackupRefused(f"{target!r} cannot be a PostgreSQL database name.")
    if target == database["NAME"]:
        raise BackupRefused(
            f"{target} is the database this installation runs on: restore into a new database, "
            "check it, then point DATABASE_URL at it."
        )
    return target


def _target_prepare(database: dict, target: str) -> bool:
    """Create ``target`` if it does not exist (True), or accept it if it holds nothing (False);
    refuse one that holds anything, whatever it is."""
    connection = connect(database)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [target])
            if cursor.fetchone() is None:
                # template0: nothing a local template1 may hold gets in the restore's way.
                cursor.execute(
                    sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(target))
                )
                return True
    finally:
        connection.close()
    connection = connect(database, target)
    try:
        with connection.cursor() as cursor:
            cursor.execute(_HOLDS_ANYTHING_SQL)
            objects = cursor.fetchone()[0]
        connection.rollback()
    finally:
        connection.close()
    if objects:
        raise BackupRefused(
            f"The database {target} is not empty ({objects} tables, sequences, indexes or "
            "functions): a restore goes only into a new or empty database. Choose a new name; "
            "nothing was restored."
        )
    return False
