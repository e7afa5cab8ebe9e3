"""The review queue's recent decisions are read from the top of an index, newest first: their cost
does not grow with the number of screenings the clinic has ever decided."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from journease import server_prepared
from participants.selectors import screening_recent_decisions

pytestmark = [pytest.mark.django_db, pytest.mark.services("postgres")]


def test_recent_decisions_are_read_in_index_order_without_sorting(monkeypatch):
    monkeypatch.setattr(server_prepared, "ENABLED", False)  # the query's own text, values in
    with CaptureQueriesContext(connection) as queries:
        screening_recent_decisions()
    with transaction.atomic(), connection.cursor() as cursor:
        # Whatever the table's size today, the plan must be able to stop after the newest rows.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("EXPLAIN " + queries[-1]["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "screening_decided_idx" in plan, plan
    assert "Sort Key" not in plan, plan
