"""When the deployments run and what they are called; ``prefect.yaml`` and ``tradewatch serve``
(``deployments.py``) both follow this."""

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
