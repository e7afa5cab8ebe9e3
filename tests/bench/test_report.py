"""The benchmark's own arithmetic: reading wrk, the ratios, and what counts as a failed run.

The benchmark itself runs in CI as ``make bench-smoke``; these tests pin the parts whose mistakes
would print a wrong table without failing.
"""

import pytest

from bench import report
from bench.pages import wrk_figures
from bench.report import assemble, problems


@pytest.fixture(autouse=True)
def no_version_commands(monkeypatch):
    """The arithmetic is under test, not the machine: no tool is started to ask its version."""
    monkeypatch.setattr(report, "machine", lambda: {"cpu": "test", "cores": 2})


WRK_OUTPUT = """Running 1s test @ http://127.0.0.1:8000/sessions/
  1 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.88ms    4.20ms  54.30ms   96.12%
    Req/Sec     2.13k   234.56     2.40k    80.00%
  Latency Distribution
     50%  780.00us
     75%    1.10ms
     90%    2.01ms
     99%    1.02s
  2118 requests in 1.00s, 575.00KB read
Requests/sec:   2095.45
Transfer/sec:    569.12KB
"""


def test_wrk_figures_convert_every_unit_to_milliseconds():
    figures = wrk_figures(WRK_OUTPUT)
    assert figures == {"rps": 2095.45, "p50_ms": 0.78, "p99_ms": 1020.0, "requests": 2118}


def test_a_wrk_run_with_error_responses_measured_nothing():
    with pytest.raises(SystemExit, match="errors"):
        wrk_figures(
            WRK_OUTPUT.replace("Requests/sec", "  Non-2xx or 3xx responses: 12\nRequests/sec")
        )


def _run(scale: int, queries: int, rps: float) -> dict:
    page = {"label": "Upcoming sessions", "reference": False, "queries": queries}
    return {
        "scale": scale,
        "data": {"sessions": 50 * scale},
        "sections": {
            "pages": {
                "workers": 2,
                "connections": 4,
                "seconds": 1,
                "rounds": 1,
                "gunicorn_worker_peak_rss_mb": 80.0,
                "pages": {
                    "fixed": {"label": "Fixed", "reference": True, "queries": 0, "rps": 2000.0},
                    "template": {
                        "label": "Template",
                        "reference": True,
                        "queries": 0,
                        "rps": 1000.0,
                    },
                    "sessions": {**page, "rps": rps},
                },
            }
        },
    }


def _with_latency(run: dict) -> dict:
    for page in run["sections"]["pages"]["pages"].values():
        page.update(p50_ms=1.0, p99_ms=2.0)
    return run


def test_ratios_are_taken_against_the_references_of_the_largest_scale():
    results = assemble(
        [_with_latency(_run(10, 3, 400.0)), _with_latency(_run(1, 3, 900.0))], smoke=False
    )
    sessions = results["pages"]["sessions"]
    assert sessions["vs_template"] == 0.4 and sessions["vs_fixed"] == 0.2
    assert {t["name"]: t["met"] for t in results["targets"]} == {
        "Upcoming sessions: throughput vs the template-only view (at least 0.5)": False,
        "Query counts flat from the smallest to the largest scale": True,
    }
    assert problems(results) == []


def test_a_signed_in_page_is_held_to_issue_23s_share_of_the_template_view():
    run = _with_latency(_run(10, 3, 250.0))
    pages = run["sections"]["pages"]["pages"]
    pages["session_detail"] = {**pages.pop("sessions"), "label": "Session page"}
    results = assemble([run], smoke=False)
    assert {t["name"]: t["met"] for t in results["targets"]} == {
        "Session page: throughput vs the template-only view (at least 0.2)": True,
    }
    pages["session_detail"]["rps"] = 190.0
    (target,) = assemble([run], smoke=False)["targets"]
    assert target["ratio"] == 0.19 and target["met"] is False


def test_a_query_count_that_grows_with_the_data_is_a_problem():
    results = assemble(
        [_with_latency(_run(1, 3, 900.0)), _with_latency(_run(10, 4, 900.0))], smoke=False
    )
    assert problems(results) == ["a page's query count changed with the data"]


def _enrollment(app_p99: float, pgbench_p99: float) -> dict:
    def side(attempts: float, p99: float) -> dict:
        return {
            "attempts_per_s": attempts,
            "enrolled_per_s": attempts / 25,
            "refused_per_s": attempts * 24 / 25,
            "latency_ms": {"p50": 20.0, "p99": p99},
            "overbooked_sessions": 0,
        }

    return {
        "clients": 200,
        "sessions": 60,
        "seats_per_session": 8,
        "app": side(600.0, app_p99),
        "pgbench": side(1000.0, pgbench_p99),
        "app_to_pgbench": 0.6,
        "statements": {"enrolled": 8, "refused": 1, "enrolled_locked": 6, "refused_locked": 0},
        "problems": [],
    }


@pytest.mark.parametrize(("app_p99", "met"), [(1500.0, True), (1501.0, False)])
def test_contended_enrollment_p99_is_held_to_one_and_a_half_times_pgbench(app_p99, met):
    run = _with_latency(_run(10, 3, 400.0))
    run["sections"]["enrollment"] = _enrollment(app_p99=app_p99, pgbench_p99=1000.0)
    targets = {t["name"]: t for t in assemble([run], smoke=False)["targets"]}
    assert targets["Contended enrollment: attempts/s vs pgbench on the same SQL"]["met"]
    p99 = targets["Contended enrollment: p99 vs pgbench's p99 (at most 1.5)"]
    assert p99["met"] is met
    assert p99["ratio"] == round(app_p99 / 1000.0, 3)
