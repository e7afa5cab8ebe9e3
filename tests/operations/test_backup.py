"""Backups restore (operations/backup.py, operations/restore.py).

A database filled with the demo data and the benchmark's scale-1 data (``bench.data.build``, in
this process, as ``python -m bench`` fills its own) is backed up with ``manage.py backup``,
restored with ``manage.py restore`` into a database of its own, and found whole: the same rows in
every table, the same clinical checksum, and the audit log still refusing UPDATE. A restore
refuses a database that holds anything and a dump changed by one byte.

The restore databases are made next to pytest-django's test database, named after it (so
parallel test processes and other runs never meet), and dropped at the end whatever happens.
"""

import json
import stat
import uuid
from io import StringIO

import psycopg2
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from bench import data
from operations.backup import (
    BackupRefused,
    backup_create,
    clinical_checksums,
    clinical_models,
    connect,
    database_settings,
    manifest_read,
    row_counts,
)
from operations.restore import backup_verify
from participants.models import AuditAction, Screening, User
from participants.services.audit import audit_event
from participants.services.retention import CLINICAL_MODELS as PURGEABLE_CLINICAL_MODELS


def test_every_record_the_retention_path_calls_clinical_is_in_the_clinical_checksum():
    assert set(PURGEABLE_CLINICAL_MODELS.values()) <= set(clinical_models())


def test_backup_on_sqlite_is_refused_with_what_to_do_instead(tmp_path):
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": "/srv/journease/var/db.sqlite3"}
    with pytest.raises(BackupRefused, match=r"runs on SQLite .*\.backup") as refused:
        backup_create(folder=tmp_path / "backups", database=sqlite)
    assert "DATABASE_URL" in str(refused.value)
    assert not (tmp_path / "backups").exists()


@pytest.fixture
def scratch_databases():
    """Names for databases a test creates; every one of them is dropped at the end."""
    names = []
    base = connection.settings_dict["NAME"].removeprefix("test_")

    def reserve(purpose: str) -> str:
        names.append(f"{base}_{purpose}_{uuid.uuid4().hex[:6]}")
        return names[-1]

    yield reserve
    admin = connect(database_settings())
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            for name in names:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.close()


def run_sql(statement: str, *, database: str | None = None, params=()) -> list[tuple]:
    """One statement on its own connection (autocommit), outside Django's test transaction."""
    session = connect(database_settings(), database)
    session.autocommit = True
    try:
        with session.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall() if cursor.description else []
    finally:
        session.close()


def database_exists(name: str) -> bool:
    return bool(run_sql("SELECT 1 FROM pg_database WHERE datname = %s", params=[name]))


def read_database(name: str) -> tuple[dict, dict]:
    """Rows per table and the clinical checksums of the database ``name``."""
    reader = connect(database_settings(), name)
    try:
        with reader.cursor() as cursor:
            return row_counts(cursor), clinical_checksums(cursor)
    finally:
        reader.close()


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("screening_defaults")
@pytest.mark.clock("2027-03-03 10:00")
@pytest.mark.services("postgres")
@pytest.mark.django_db(transaction=True)
def test_a_filled_database_restores_whole_into_a_fresh_one(tmp_path, scratch_databases):
    data.build(scale=1)
    admin = User.objects.get(email="admin@journease.test")
    for screening in Screening.objects.order_by("pk")[:5]:
        audit_event(actor=admin, action=AuditAction.VIEW, record=screening)
    source = connection.settings_dict["NAME"]
    folder = tmp_path / "backups"

    out = StringIO()
    call_command("backup", "--folder", str(folder), stdout=out)
    (dump,) = folder.glob("*.dump")
    manifest = manifest_read(dump.with_suffix(".json"))
    assert mode(folder) == 0o700
    assert mode(dump) == mode(dump.with_suffix(".json")) == 0o600
    assert str(dump) in out.getvalue()
    assert manifest["app_version"] == "0.1.0"
    leaves = MigrationLoader(connection).graph.leaf_nodes("participants")
    assert [("participants", manifest["migrations"]["participants"])] == leaves
    source_counts, source_clinical = read_database(source)
    assert manifest["row_counts"] == source_counts
    assert manifest["clinical"] == source_clinical
    clinical_rows = {t: v["rows"] for t, v in source_clinical["tables"].items()}
    for table in (
        "participants_screening",
        "participants_checkin",
        "participants_consentsignature",
        "participants_auditevent",
        "sessions_app_enrollment",
        "cohorts_cohortmember",
    ):
        assert clinical_rows[table] > 0, f"the filled database has no rows in {table}"

    target = scratch_databases("restored")
    out = StringIO()
    call_command("restore", str(dump), "--target", target, stdout=out)
    assert "match the manifest" in out.getvalue()

    restored_counts, restored_clinical = read_database(target)
    assert restored_counts == source_counts
    assert restored_clinical["checksum"] == source_clinical["checksum"]
    assert sum(restored_counts.values()) > 1000

    # The audit log's append-only trigger came back with the rows.
    restored = connect(database_settings(), target)
    try:
        with restored.cursor() as cursor, pytest.raises(psycopg2.Error, match="append-only"):
            cursor.execute("UPDATE participants_auditevent SET action = 'export'")
        restored.rollback()
        # The comparison sees one changed clinical value and one missing row.
        with restored.cursor() as cursor:
            cursor.execute(
                "UPDATE participants_screening SET decision_note = decision_note || '.' "
                "WHERE id = (SELECT min(id) FROM participants_screening)"
            )
            cursor.execute(
                "DELETE FROM sessions_app_enrollmentevent "
                "WHERE id = (SELECT max(id) FROM sessions_app_enrollmentevent)"
            )
        restored.commit()
    finally:
        restored.close()
    problems = backup_verify(database=database_settings(), target=target, manifest=manifest)
    assert "clinical table participants_screening: its content differs from the backup's" in (
        problems
    )
    assert any(p.startswith("table sessions_app_enrollmentevent: ") for p in problems)
    assert any(p.startswith("clinical checksum ") for p in problems)
    assert len(problems) == 4, problems


@pytest.fixture
def small_backup(django_db_setup, tmp_path):
    """A backup of the test database as it is (migrated, nearly empty): quick to make. The tests
    that use it reach PostgreSQL on connections of their own and commit nothing to the test
    database, so none of them needs a transactional test's flush afterwards."""
    return backup_create(folder=tmp_path / "backups")


@pytest.mark.services("postgres")
def test_restore_refuses_a_database_that_holds_anything(small_backup, scratch_databases):
    target = scratch_databases("busy")
    run_sql(f'CREATE DATABASE "{target}"')
    run_sql("CREATE TABLE kept (note text)", database=target)
    run_sql("INSERT INTO kept VALUES ('still here')", database=target)

    with pytest.raises(CommandError, match=f"database {target} is not empty"):
        call_command("restore", str(small_backup.dump), "--target", target, stdout=StringIO())
    assert run_sql("SELECT note FROM kept", database=target) == [("still here",)]
    assert run_sql(
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'", database=target
    ) == [(1,)]


@pytest.mark.services("postgres")
def test_restore_into_an_existing_empty_database_is_accepted(small_backup, scratch_databases):
    target = scratch_databases("empty")
    run_sql(f'CREATE DATABASE "{target}" TEMPLATE template0')
    out = StringIO()
    call_command("restore", str(small_backup.dump), "--target", target, stdout=out)
    assert f"into {target} (empty before)" in out.getvalue()


@pytest.mark.services("postgres")
def test_restore_refuses_the_database_the_installation_runs_on(small_backup):
    current = connection.settings_dict["NAME"]
    with pytest.raises(CommandError, match="is the database this installation runs on"):
        call_command("restore", str(small_backup.dump), "--target", current, stdout=StringIO())


@pytest.mark.services("postgres")
def test_restore_refuses_a_dump_with_one_byte_changed(small_backup, scratch_databases):
    dump = small_backup.dump
    content = bytearray(dump.read_bytes())
    content[len(content) // 2] ^= 0x01
    dump.write_bytes(bytes(content))
    target = scratch_databases("tampered")

    with pytest.raises(CommandError, match="does not match its manifest") as refused:
        call_command("restore", str(dump), "--target", target, stdout=StringIO())
    assert "nothing was restored" in str(refused.value)
    assert not database_exists(target)


@pytest.mark.services("postgres")
def test_restore_refuses_a_dump_without_its_manifest(small_backup, scratch_databases):
    small_backup.manifest.unlink()
    target = scratch_databases("unchecked")
    with pytest.raises(CommandError, match="No manifest"):
        call_command("restore", str(small_backup.dump), "--target", target, stdout=StringIO())
    assert not database_exists(target)


def test_manifest_of_another_format_is_refused(tmp_path):
    path = tmp_path / "journease-x.json"
    path.write_text(json.dumps({"format": 99}))
    with pytest.raises(BackupRefused, match="not one this version reads"):
        manifest_read(path)
