"""The capture that pgbench replays: every id of the attempt becomes the client's variable, also
inside the arrays a bulk insert sends (one per column), so no client replays another's rows."""

import pytest

from bench.pgbench import Capture, Statement, templated

pytestmark = [pytest.mark.services("postgres"), pytest.mark.django_db]


def test_ids_inside_a_bulk_inserts_arrays_become_variables():
    capture = Capture(
        [
            Statement(
                "INSERT INTO t (recipient_id, kind, subject_id) SELECT * FROM UNNEST(%s, %s, %s)",
                ([41, 41], ["confirmed", "reminder"], [7, 7]),
                True,
            )
        ]
    )
    (step,) = templated(capture, {"participant": 41, "enrollment_id": 7})
    assert "ARRAY[:participant,:participant]" in step.sql
    assert "ARRAY[:enrollment_id,:enrollment_id]" in step.sql
    assert "ARRAY['confirmed','reminder']" in step.sql
    assert "41" not in step.sql
