"""On PostgreSQL the audit log refuses TRUNCATE as it refuses UPDATE and DELETE (0003).

TRUNCATE fires no row triggers, so 0003's trigger never saw it; a statement trigger does, also
when the table is reached by ``TRUNCATE ... CASCADE`` from the users table.

The one exception is the test database's flush (pytest-django empties every table after each
transactional test with a single TRUNCATE): ``tests/audit_flush.py`` runs ``SET LOCAL
journease.allow_audit_truncate = 'on'`` inside that flush's transaction. Production never sets
the setting. It guards against accidents and the application's own code, not against the
database's owner, who could drop the trigger; revoke TRUNCATE from the application's role as well
where the deployment separates the owner from that role.
"""

from django.db import migrations

TRUNCATE_TRIGGER_SQL = """
CREATE OR REPLACE FUNCTION participants_auditevent_no_truncate() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('journease.allow_audit_truncate', true), '') = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'The audit log is append-only: TRUNCATE refused';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER participants_auditevent_no_truncate
    BEFORE TRUNCATE ON participants_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION participants_auditevent_no_truncate();
"""
DROP_TRUNCATE_TRIGGER_SQL = """
DROP TRIGGER IF EXISTS participants_auditevent_no_truncate ON participants_auditevent;
DROP FUNCTION IF EXISTS participants_auditevent_no_truncate();
"""


class PostgreSQLOnlyRunSQL(migrations.RunSQL):
    """RunSQL for PL/pgSQL: nothing to do on SQLite, the embedded default."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    dependencies = [
        ("participants", "0005_audit_delete_and_note"),
    ]

    operations = [
        PostgreSQLOnlyRunSQL(TRUNCATE_TRIGGER_SQL, reverse_sql=DROP_TRUNCATE_TRIGGER_SQL),
    ]
