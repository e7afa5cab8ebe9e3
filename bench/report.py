"""One result from the runs of every scale: the machine, the figures, the ratios, the targets.

``table`` prints Markdown, so the README's Performance section is the output pasted as it is.
"""

import datetime
import os
import platform
import re
import shutil
import subprocess

# The targets of issue 11: each figure at least this share of its reference's.
TARGET_RATIO = 0.5
# Issue 23's signed-in pages, whose target is their own share of the template-only view (the
# public list keeps issue 11's).
PAGE_TARGET_RATIOS = dict.fromkeys(
    ("session_detail", "staff_calendar", "review_queue", "my_program", "my_sessions"), 0.2
)


def _first_line(command: list[str]) -> str:
    if not shutil.which(command[0]):
        return "not installed"
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=10)
    except subprocess.TimeoutExpired:
        return "did not answer"
    return (
        (done.stdout or done.stderr).strip().splitlines()[0] if done.stdout or done.stderr else ""
    )


def machine() -> dict:
    """What the figures were measured on: they mean nothing without it."""
    cpu = ""
    if os.path.exists("/proc/cpuinfo"):
        found = re.search(r"model name\s*:\s*(.+)", open("/proc/cpuinfo").read())  # noqa: SIM115
        cpu = found.group(1).strip() if found else ""
    memory_gb = 0.0
    if os.path.exists("/proc/meminfo"):
        found = re.search(r"MemTotal:\s+(\d+)", open("/proc/meminfo").read())  # noqa: SIM115
        memory_gb = int(found.group(1)) / 1024 / 1024 if found else 0.0
    return {
        "date": datetime.date.today().isoformat(),
        "cpu": cpu or platform.processor(),
        "cores": os.cpu_count(),
        "memory_gb": round(memory_gb, 1),
        "python": platform.python_version(),
        "postgresql": _first_line(["psql", "--version"]),
        "redis": _first_line(["redis-server", "--version"]),
        "wrk": _first_line(["wrk", "--version"]),
        "pgbench": _first_line(["pgbench", "--version"]),
    }


def _ratio(value: float, reference: float) -> float:
    return round(value / reference, 3) if reference else 0.0


def assemble(runs: list[dict], *, smoke: bool) -> dict:
    """Merge the runs of each scale: pages side by side per scale, the rest from the largest."""
    runs = sorted(runs, key=lambda run: run["scale"])
    largest = runs[-1]
    results: dict = {
        "smoke": smoke,
        "machine": machine(),
        "scales": [run["scale"] for run in runs],
        "data": {str(run["scale"]): run["data"] for run in runs},
        "pages": {},
        "targets": [],
    }
    page_runs = [run for run in runs if "pages" in run["sections"]]
    if page_runs:
        last = page_runs[-1]["sections"]["pages"]
        results["pages_setup"] = {k: v for k, v in last.items() if k != "pages"}
        reference = last["pages"]["template"]["rps"]
        fixed = last["pages"]["fixed"]["rps"]
        for key, page in last["pages"].items():
            results["pages"][key] = {
                "label": page["label"],
                "reference": page["reference"],
                "scales": {
                    str(run["scale"]): {
                        name: run["sections"]["pages"]["pages"][key][name]
                        for name in ("queries", "rps", "p50_ms", "p99_ms")
                    }
                    for run in page_runs
                },
                "vs_template": _ratio(page["rps"], reference),
                "vs_fixed": _ratio(page["rps"], fixed),
            }
            if not page["reference"]:
                results["targets"].append(
                    {
                        "name": f"{page['label']}: throughput vs the template-only view "
                        f"(at least {PAGE_TARGET_RATIOS.get(key, TARGET_RATIO)})",
                        "ratio": _ratio(page["rps"], reference),
                        "met": _ratio(page["rps"], reference)
                        >= PAGE_TARGET_RATIOS.get(key, TARGET_RATIO),
                    }
                )
        if len(page_runs) > 1:
            flat = all(
                len({scale["queries"] for scale in page["scales"].values()}) == 1
                for page in results["pages"].values()
            )
            results["targets"].append(
                {"name": "Query counts flat from the smallest to the largest scale", "met": flat}
            )
    for name, summarize in (("enrollment", _enrollment), ("dispatch", _dispatch)):
        if name in largest["sections"]:
            section = largest["sections"][name]
            results[name] = {**section, **summarize(section)}
            results["targets"].append(
                {
                    "name": results[name]["target_name"],
                    "ratio": results[name]["ratio"],
                    "met": results[name]["ratio"] >= TARGET_RATIO,
                }
            )
    if "enrollment" in results:
        results["targets"].append(_enrollment_p99_target(results["enrollment"]))
    return results


# Issue 23: the slowest attempts through the service at most this multiple of pgbench's p99.
ENROLLMENT_P99_LIMIT = 1.5


def _enrollment_p99_target(section: dict) -> dict:
    """The app's p99 latency over pgbench's in the same run (lower is better)."""
    reference = section["pgbench"]["latency_ms"]["p99"]
    ratio = _ratio(section["app"]["latency_ms"]["p99"], reference) if reference else 0.0
    return {
        "name": f"Contended enrollment: p99 vs pgbench's p99 (at most {ENROLLMENT_P99_LIMIT})",
        "ratio": ratio,
        "met": bool(reference) and ratio <= ENROLLMENT_P99_LIMIT,
    }


def _dispatch(section: dict) -> dict:
    """The dispatch figures as rows, beside the no-op task on the same worker and broker."""
    found = []
    if section["sent"] != section["messages"]:
        found.append(f"{section['messages'] - section['sent']} of {section['messages']} not sent")
    return {
        "title": (
            f"Dispatch: {section['messages']:,} due reminders, each about its own enrollment "
            "(planned by the enrollment's message plan), through the outbox sweep, one "
            f"Celery worker ({section['concurrency']} threads) on Redis"
        ),
        "target_name": "Dispatch: messages/s vs a no-op task's rate",
        "ratio": section["ratio_to_noop"],
        "problems": found,
        "table": [
            "| | per second | worker CPU per unit | |",
            "|---|---:|---:|---|",
            f"| Reminders sent | {section['messages_per_second']:,.0f} "
            f"| {section['worker_cpu_ms_per_message']:.2f} ms | {section['sent']:,} sent in "
            f"{section['batches']} batches of {section['batch_size']}, "
            f"{section['queries_per_batch']} queries per batch "
            f"({section['queries_per_batch_besides_message_updates']} besides one update per "
            f"message), {section.get('renders_per_batch', '?')} renderings per batch |",
            f"| No-op task (reference) | {section['noop_tasks_per_second']:,.0f} "
            f"| {section['noop_worker_cpu_ms_per_task']:.2f} ms | |",
            f"| Ratio | {section['ratio_to_noop']:.2f} | {section['cpu_ratio_to_noop']:.2f} | |",
        ],
    }


def _enrollment(section: dict) -> dict:
    """The contended enrollment figures as rows, beside pgbench replaying the same SQL."""
    rows = []
    for label, side in (
        ("Through the service", section["app"]),
        ("pgbench, the same SQL (reference)", section["pgbench"]),
    ):
        rows.append(
            f"| {label} | {side['attempts_per_s']:,.0f} | {side['enrolled_per_s']:,.0f} "
            f"| {side['refused_per_s']:,.0f} | {side['latency_ms']['p50']:.0f} "
            f"| {side['latency_ms']['p99']:.0f} | {side['overbooked_sessions']} |"
        )
    statements = section["statements"]
    return {
        "title": (
            f"Contended enrollment: {section['clients']} participants, each with its own "
            f"connection, on {section['sessions']} sessions of {section['seats_per_session']} seats "
            f"(a seat taken: {statements['enrolled']} statements, {statements['enrolled_locked']} "
            f"under the session lock; refused as full: {statements['refused']}, "
            f"{statements['refused_locked']} under it)"
        ),
        "target_name": "Contended enrollment: attempts/s vs pgbench on the same SQL",
        "ratio": section["app_to_pgbench"] or 0.0,
        "table": [
            "| | attempts/s | enrolled/s | refused/s | p50 ms | p99 ms | overbooked sessions |",
            "|---|---:|---:|---:|---:|---:|---:|",
            *rows,
        ],
    }


def problems(results: dict) -> list[str]:
    """What shows that a measurement did not run or the product misbehaved (never speed)."""
    found = []
    for key, page in results["pages"].items():
        for scale, figures in page["scales"].items():
            if figures["rps"] <= 0:
                found.append(f"page {key} at scale {scale} served nothing")
    for target in results["targets"]:
        if target["name"].startswith("Query counts") and not target["met"]:
            found.append("a page's query count changed with the data")
    for name in ("enrollment", "dispatch"):
        found += [f"{name}: {problem}" for problem in results.get(name, {}).get("problems", [])]
    return found


def _ms(value: float) -> str:
    return f"{value:.1f}" if value >= 1 else f"{value:.2f}"


def table(results: dict) -> str:
    """The figures as Markdown tables."""
    lines = []
    info = results["machine"]
    lines.append(
        f"Measured {info['date']} on {info['cpu']} ({info['cores']} cores, {info['memory_gb']} GB), "
        f"Python {info['python']}, {info['postgresql']}, {info['redis']}."
        + (
            f" Each figure is the median of {results['rounds']} whole runs."
            if results.get("rounds", 1) > 1
            else ""
        )
    )
    for scale, counts in results["data"].items():
        described = ", ".join(f"{value:,} {name}" for name, value in counts.items())
        lines.append(f"Scale {scale}: {described}.")
    if results["pages"]:
        setup = results["pages_setup"]
        scales = list(next(iter(results["pages"].values()))["scales"])
        lines += [
            "",
            f"**Pages** (gunicorn, {setup['workers']} sync workers; wrk, {setup['connections']} "
            f"connections, median of {setup['rounds']} rounds of {setup['seconds']} s; "
            f"ratios at scale {scales[-1]})",
            "",
            "| Page | "
            + " | ".join(f"queries (scale {s}) | req/s | p50 ms | p99 ms" for s in scales)
            + " | vs template | vs fixed |",
            "|---|" + "---:|" * (4 * len(scales) + 2),
        ]
        for page in results["pages"].values():
            cells = []
            for scale in scales:
                figures = page["scales"][scale]
                cells += [
                    str(figures["queries"]),
                    f"{figures['rps']:,.0f}",
                    _ms(figures["p50_ms"]),
                    _ms(figures["p99_ms"]),
                ]
            lines.append(
                f"| {page['label']} | "
                + " | ".join(cells)
                + f" | {page['vs_template']:.2f} | {page['vs_fixed']:.2f} |"
            )
    for name in ("enrollment", "dispatch"):
        section = results.get(name)
        if section and section.get("table"):
            lines += ["", f"**{section.get('title', name)}**", "", *section["table"]]
    memory = []
    if "pages_setup" in results:
        memory.append(
            f"one gunicorn worker {results['pages_setup']['gunicorn_worker_peak_rss_mb']:.0f} MB"
        )
    if "worker_peak_rss_mb" in results.get("dispatch", {}):
        memory.append(f"one Celery worker {results['dispatch']['worker_peak_rss_mb']:.0f} MB")
    if memory:
        lines += ["", "**Peak resident memory**: " + ", ".join(memory) + "."]
    if results["targets"]:
        lines += ["", "| Target | Ratio | Met |", "|---|---:|---|"]
        for target in results["targets"]:
            ratio = f"{target['ratio']:.2f}" if "ratio" in target else ""
            lines.append(f"| {target['name']} | {ratio} | {'yes' if target['met'] else 'no'} |")
    return "\n".join(lines)
