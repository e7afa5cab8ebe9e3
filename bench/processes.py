"""The processes the benchmark starts (gunicorn, the Celery worker): their memory and their end."""

import signal
import subprocess
from pathlib import Path


def memory_mb(pid: int) -> dict[str, float]:
    """The process's resident memory now and at its peak (``VmRSS``, ``VmHWM``), in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = round(int(value.split()[0]) / 1024, 1)
    return fields


def stop(process: subprocess.Popen, *, timeout: float = 30) -> None:
    """Graceful stop (SIGTERM: work in hand finishes), then SIGKILL if it hangs."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
