"""Celery tasks of the operations app: thin and idempotent."""

from celery import shared_task

from operations.services import retention


# A purge of a long backlog may take minutes (in batches); a retry after a lost worker purges
# only what is left.
@shared_task(
    name="operations.retention_apply",
    ignore_result=True,
    soft_time_limit=30 * 60,
    time_limit=31 * 60,
)
def retention_apply() -> dict[str, int | None]:
    """Daily (beat): apply every retention policy and write one audit row with the counts; once
    per clinic day, even if two beats send it."""
    outcomes = retention.retention_apply_daily()
    return {outcome.kind: outcome.purged for outcome in outcomes or ()}
