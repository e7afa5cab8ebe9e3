"""One scale of the benchmark in a process of its own: recreate the database, fill it, measure.

Run by ``python -m bench`` with the run's environment (``bench.config.Target.env``); prints
progress and writes the figures as JSON to ``--out``.

It is the one module that sets Django up: the modules that import the project's models at their
top (``bench.data`` and the sections) are imported here, after ``django.setup()``, and never by a
module that the parent process (``bench.__main__``) imports.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import django
from django.core.management import call_command

from bench.config import target_from_environment
from bench.db import database_recreate

SECTION_NAMES = ("pages", "enrollment", "dispatch")


def _section(name: str, sections: dict):
    """The ``run`` of ``bench/<name>.py``."""
    if name not in SECTION_NAMES:
        raise SystemExit(f"No section {name!r}: choose from {', '.join(SECTION_NAMES)}")
    return sections[name].run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scale")
    parser.add_argument("--scale", type=int, required=True)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--sections", default=",".join(SECTION_NAMES))
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)

    target = target_from_environment()
    started = time.perf_counter()
    database_recreate(target)

    django.setup()
    # start-up: imported after django.setup(), as they import the project's models at their top.
    from bench import data, dispatch, enrollment, pages

    sections = {"pages": pages, "enrollment": enrollment, "dispatch": dispatch}
    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--no-input", verbosity=0)
    bench_data = data.build(scale=args.scale)
    print(f"scale {args.scale}: {bench_data.describe()} in {time.perf_counter() - started:.0f} s")

    results = {"scale": args.scale, "smoke": args.smoke, "data": bench_data.counts, "sections": {}}
    for name in [n.strip() for n in args.sections.split(",") if n.strip()]:
        section_started = time.perf_counter()
        print(f"scale {args.scale}: {name} ...", flush=True)
        results["sections"][name] = _section(name, sections)(
            target=target, data=bench_data, smoke=args.smoke
        )
        print(f"scale {args.scale}: {name} done in {time.perf_counter() - section_started:.0f} s")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
