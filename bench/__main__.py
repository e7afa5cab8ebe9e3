"""``python -m bench``: every scale in its own process, then one table and one JSON file.

python -m bench                      # scales 1 and 10 (make bench)
python -m bench --smoke              # scale 1, short runs, checks that each figure exists
python -m bench --rounds 3           # each figure the median of three whole runs (make bench)
python -m bench --scale 1 --sections pages
"""

import argparse
import json
import subprocess
import sys
from pathlib import Path

import psycopg2
import redis

from bench import report
from bench.config import VAR_DIR, target_from_environment
from bench.db import max_connections
from bench.rounds import median_of
from bench.scale import SECTION_NAMES

# Contended enrollment and dispatch need the most data only once: they run at the largest scale.
LARGEST_ONLY = ("enrollment", "dispatch")


def services_check(target) -> None:
    """Stop with a clear message when PostgreSQL or Redis does not answer."""
    try:
        max_connections(target)
    except psycopg2.OperationalError as error:
        raise SystemExit(
            f"PostgreSQL does not answer at {target.database['host']}:{target.database['port']} "
            f"({error}). Start it, or set BENCH_DATABASE_URL."
        ) from error
    try:
        redis.Redis.from_url(target.redis_url).ping()
    except redis.RedisError as error:
        raise SystemExit(
            f"Redis does not answer at {target.redis_url} ({error}). Start it, or set BENCH_REDIS_URL."
        ) from error


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--scale", type=int, action="append", help="repeatable; default 1 and 10")
    parser.add_argument("--smoke", action="store_true", help="smallest scale, short runs")
    parser.add_argument("--sections", default=",".join(SECTION_NAMES))
    parser.add_argument("--out", type=Path, default=VAR_DIR / "results.json")
    parser.add_argument(
        "--rounds", type=int, default=1, help="whole runs; each figure is their median"
    )
    args = parser.parse_args(argv)
    scales = sorted(set(args.scale or ([1] if args.smoke else [1, 10])))
    wanted = [name.strip() for name in args.sections.split(",") if name.strip()]
    target = target_from_environment()
    services_check(target)

    rounds = []
    for number in range(1, max(args.rounds, 1) + 1):
        runs = []
        for scale in scales:
            sections = [n for n in wanted if scale == scales[-1] or n not in LARGEST_ONLY]
            out = VAR_DIR / f"scale-{scale}-round-{number}.json"
            command = [sys.executable, "-m", "bench.scale", "--scale", str(scale)]
            command += ["--out", str(out), "--sections", ",".join(sections)]
            command += ["--smoke"] if args.smoke else []
            if args.rounds > 1:
                print(f"round {number} of {args.rounds}", flush=True)
            subprocess.run(command, env=target.env(), check=True)
            runs.append(json.loads(out.read_text()))
        rounds.append(runs)

    # Each scale's figures, the median of its rounds (one round: as measured).
    runs = [median_of([runs[index] for runs in rounds]) for index in range(len(scales))]
    results = report.assemble(runs, smoke=args.smoke)
    results["rounds"] = len(rounds)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=str))
    print(report.table(results))
    print(f"\nFigures written to {args.out}")
    problems = report.problems(results)
    for problem in problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
