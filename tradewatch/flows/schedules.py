"""When the deployments run; ``prefect.yaml`` and ``tradewatch serve`` both follow this."""

from __future__ import annotations

# China's customs publishes its country-by-commodity figures around the 20th of the next month;
# Comtrade follows later, which the monthly window of re-fetched months absorbs.
MONTHLY_CRON = "0 6 21 * *"
TIMEZONE = "Asia/Shanghai"
MONTHLY_DEPLOYMENT = "monthly"
BACKFILL_DEPLOYMENT = "backfill"
BACKFILL_FLOW = "backfill"
# The deployment a parallel backfill's chunks run as: no concurrency limit of its own, as the
# parent keeps at most --parallel of them in flight.
CHUNK_DEPLOYMENT = "chunks"
WORK_POOL = "tradewatch"


def build_deployments(warehouse: str | None = None) -> list:
    """The deployments ``tradewatch serve`` runs: monthly on its schedule, backfill on demand."""
    from prefect.schedules import Cron

    from .backfill import backfill
    from .monthly import monthly_ingest

    parameters = {"warehouse": warehouse} if warehouse else {}
    return [
        monthly_ingest.to_deployment(
            name=MONTHLY_DEPLOYMENT,
            schedules=[Cron(MONTHLY_CRON, timezone=TIMEZONE)],
            concurrency_limit=1,
            parameters=parameters,
            description="Load last month and re-fetch the window before it.",
        ),
        backfill.to_deployment(
            name=BACKFILL_DEPLOYMENT,
            concurrency_limit=1,
            parameters=parameters,
            description="Load a range of months, skipping what is already loaded.",
        ),
        backfill.to_deployment(
            name=CHUNK_DEPLOYMENT,
            parameters=parameters,
            description="One chunk of a parallel backfill (started by its parent backfill).",
        ),
    ]
