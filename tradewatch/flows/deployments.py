"""The deployments ``tradewatch serve`` runs, built from the flows and ``schedules``."""

from __future__ import annotations

import os
from pathlib import Path

from ..warehouse import Warehouse
from .schedules import (
    BACKFILL_DEPLOYMENT,
    CHUNK_DEPLOYMENT,
    MONTHLY_CRON,
    MONTHLY_DEPLOYMENT,
    TIMEZONE,
)


def build_deployments(warehouse: Warehouse | None = None) -> list:
    """The deployments ``tradewatch serve`` runs: monthly on its schedule, backfill on demand."""
    from prefect.schedules import Cron

    from .backfill import backfill
    from .monthly import monthly_ingest

    # none given: each run finds the warehouse where it runs (TRADEWATCH_WAREHOUSE, ./)
    parameters = {"warehouse": warehouse.address} if warehouse else {}
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


def installed() -> dict[str, str]:
    """``prefect.yaml``'s pull step, run on the worker before each flow run.

    The deployments' entrypoints are modules of the installed package, so a worker needs
    tradewatch installed, not a checkout: this step says which installation runs (in the flow
    run's logs) and takes the place of the pull step ``prefect deploy`` would otherwise add — a
    ``set_working_directory`` to the deploying machine's folder, absent on other machines."""
    import tradewatch

    return {
        "version": tradewatch.__version__,
        "package": str(Path(tradewatch.__file__).parent),
        "directory": os.getcwd(),
    }
