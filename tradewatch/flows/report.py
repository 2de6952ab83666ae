"""The month's briefing at the end of a monthly run: a page beside the warehouse, and artifacts."""

from __future__ import annotations

from prefect import task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NONE

from ..schemas import Month
from ..warehouse import Warehouse


@task(name="write-report", cache_policy=NONE)
def report_step(warehouse: Warehouse, month: Month) -> str:
    """Write ``<warehouse>.reports/report-YYYY-MM.html``; the same content as a markdown
    artifact and the figures as a table artifact (no file:// links: they are dead elsewhere)."""
    from ..report import report_data, report_markdown, write_report

    data = report_data(warehouse, month)
    page = write_report(warehouse, month, data=data)
    create_markdown_artifact(
        markdown=report_markdown(month, data, page),
        key="tradewatch-report",
        description=f"tradewatch briefing {month}",
    )
    create_table_artifact(
        table=[
            {
                "series": row["series_name"],
                "month": f"{row['period']:%Y-%m}",
                "tonnes": row["tonnes"],
                "usd": row["value_usd"],
                "source": row["source_url"],
                "retrieved": f"{row['fetched_at']:%Y-%m-%d %H:%M}",
                "vintage": row["vintage"],
            }
            for row in data["figures"]
        ],
        key="tradewatch-figures",
        description=f"watched figures {month.shift(-1)}..{month}",
    )
    return str(page)
