"""The reference task of the dispatch measurement: what one task costs the worker and broker."""

from celery import shared_task


@shared_task(name="bench.noop", ignore_result=True)
def noop() -> None:
    """Do nothing: the rate at which the worker runs it is the ceiling for any task of the app."""
