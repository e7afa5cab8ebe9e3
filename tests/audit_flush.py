"""The test database's flush may empty the audit log; nothing else may.

On PostgreSQL a statement trigger refuses ``TRUNCATE`` of the audit log
(participants/migrations/0006_audit_refuses_truncate.py) unless the session setting
``journease.allow_audit_truncate`` is ``on``. pytest-django empties every table after each
transactional test with Django's flush: ``sql_flush`` builds one ``TRUNCATE a, b, ...`` statement
and ``connection.ops.execute_sql_flush`` runs it inside one transaction. For the test run only,
``execute_sql_flush`` runs ``SET LOCAL journease.allow_audit_truncate = 'on'`` first, inside that
same transaction: the setting ends with the flush, so a test's own connection still meets the
refusal (tests/participants/test_clinical_retention.py proves both). Production code never sets
it, so ``manage.py flush`` on a production database is refused.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

SETTING = "journease.allow_audit_truncate"
ALLOW_SQL = f"SET LOCAL {SETTING} = 'on'"


@contextmanager
def flush_may_truncate_the_audit_log() -> Iterator[None]:
    """Patch PostgreSQL's ``execute_sql_flush`` for as long as the context lasts."""
    try:
        from django.db.backends.postgresql.operations import DatabaseOperations
    except ImportError:  # no psycopg: SQLite only, no trigger to satisfy
        yield
        return
    original = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        return original(self, [ALLOW_SQL, *sql_list] if sql_list else sql_list)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "execute_sql_flush", execute_sql_flush)
        yield
