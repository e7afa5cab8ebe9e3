"""Several whole runs of the benchmark told as one (``bench.rounds``): each number the median of
its rounds, a problem of any round kept."""

from bench.rounds import median_of


def _round(rps: float, p99: float, problems: list[str], enrolled: int) -> dict:
    return {
        "scale": 10,
        "sections": {
            "pages": {"pages": {"template": {"label": "Template", "reference": True, "rps": rps}}},
            "enrollment": {
                "app": {"enrolled": enrolled, "latency_ms": {"p99": p99}},
                "script": "BEGIN; ...",
                "problems": problems,
            },
        },
    }


def test_each_number_is_the_median_of_its_rounds_and_every_problem_is_kept():
    merged = median_of(
        [
            _round(1000.0, 2400.0, [], 480),
            _round(400.0, 9000.0, ["2 sessions overbooked by the app"], 470),
            _round(1100.0, 2300.0, [], 481),
        ]
    )
    template = merged["sections"]["pages"]["pages"]["template"]
    assert template == {"label": "Template", "reference": True, "rps": 1000.0}
    enrollment = merged["sections"]["enrollment"]
    assert enrollment["app"] == {"enrolled": 480, "latency_ms": {"p99": 2400.0}}
    assert isinstance(enrollment["app"]["enrolled"], int)
    assert enrollment["problems"] == ["2 sessions overbooked by the app"]
    assert enrollment["script"] == "BEGIN; ..." and merged["scale"] == 10


def test_one_round_is_told_as_measured():
    run = _round(1000.0, 2400.0, ["a problem"], 480)
    assert median_of([run]) == run
