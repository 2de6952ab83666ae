"""A backfill spread over Prefect workers: the range in chunks, each a flow run of a deployment.

The parent (``backfill --parallel N``, in the command's process or a worker) splits the months
into chunks of ``chunk_months`` (twelve: one Comtrade call per series), keeps at most N of them
scheduled or running as flow runs of the ``backfill/chunks`` deployment on the ``tradewatch``
work pool, and watches them: progress from each chunk's progress artifact, its figures from its
summary artifact, so workers on other machines report back through the Prefect server alone.
Every chunk loads into the same DuckLake, which takes many writers; each month stays
all-or-nothing. The parent raises the alerts once, over the whole range, when every chunk is done.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from uuid import UUID

from ..errors import ConfigError
from ..schemas import Month
from ..warehouse import lake
from ..warehouse.db import Warehouse
from .ingest import IngestSummary
from .schedules import BACKFILL_FLOW, CHUNK_DEPLOYMENT, WORK_POOL

SUMMARY_KEY = "backfill-chunk-summary"
PROGRESS_KEY = "backfill-progress"
CHUNK_PROGRESS_KEY = "backfill-chunk-progress"
POLL_SECONDS = 2.0
FINAL = frozenset({"completed", "failed", "crashed", "cancelled"})
SHOWN = FINAL | {"running"}  # the states progress reports (not scheduled, pending, ...)


@dataclass
class Chunk:
    """One slice of the range and the flow run loading it."""

    months: list[Month]
    cells: int  # months x sources: the units progress counts
    flow_run_id: UUID | None = None
    percent: float = 0.0
    state: str = "waiting"
    message: str = ""

    @property
    def label(self) -> str:
        return f"{self.months[0]}..{self.months[-1]}"

    @property
    def done_cells(self) -> int:
        if self.state == "completed":
            return self.cells
        return int(self.cells * min(self.percent, 100.0) / 100.0)


def counts(chunks: Sequence[Chunk]) -> str:
    """How far a parallel backfill is: chunks finished, and months (x sources) loaded."""
    finished = sum(chunk.state in FINAL for chunk in chunks)
    loaded = sum(chunk.done_cells * len(chunk.months) // chunk.cells for chunk in chunks)
    months = sum(len(chunk.months) for chunk in chunks)
    return f"{finished}/{len(chunks)} chunks done, {loaded}/{months} months"


def split(months: Sequence[Month], size: int) -> list[list[Month]]:
    """Consecutive slices of at most ``size`` months, oldest first."""
    if size < 1:
        raise ConfigError(f"chunks of {size} months: give at least 1")
    return [list(months[i : i + size]) for i in range(0, len(months), size)]


def check_parallel(warehouse: Warehouse) -> str:
    """The warehouse address a parallel backfill hands its chunks, or why it cannot run."""
    if not os.environ.get("PREFECT_API_URL"):
        raise ConfigError(
            "--parallel runs chunks as flow runs on Prefect workers: set PREFECT_API_URL to "
            "the server they poll (README: Running as a team)"
        )
    where = warehouse.address
    if not lake.is_lake(where):
        raise ConfigError(
            "--parallel needs a DuckLake warehouse (ducklake:postgres:...): a DuckDB file takes "
            "one writer at a time and workers on other machines cannot reach it"
        )
    if lake.redact(where) != where:
        raise ConfigError(
            "the warehouse address carries a password, which every chunk's parameters would "
            "show in the Prefect UI: put it in PGPASSWORD or ~/.pgpass on each worker instead"
        )
    return where


def plan_chunks(months: Sequence[Month], sources: Sequence[str], chunk_months: int) -> list[Chunk]:
    """The range as chunks of ``chunk_months`` months, each counting its months x sources."""
    return [Chunk(part, len(part) * len(sources)) for part in split(months, chunk_months)]


def run_chunks(
    chunks: list[Chunk],
    parameters: dict,
    parallel: int,
    summary: IngestSummary,
    on_progress: Callable[[list[Chunk], Chunk], None],
    log: Callable[..., None],
) -> list[Chunk]:
    """Run the chunks as flow runs of the chunk deployment with ``parameters`` (``chunk_of``
    names the parent run), at most ``parallel`` at once; fold their figures into ``summary``.
    A chunk that fails, crashes or is cancelled is named in ``summary.failed``. ``on_progress``
    hears of every chunk whose state or count of loaded months changed."""
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment
    from prefect.exceptions import ObjectNotFound

    parent_id = parameters["chunk_of"]
    chunk_months = max(len(chunk.months) for chunk in chunks)
    name = f"{BACKFILL_FLOW}/{CHUNK_DEPLOYMENT}"
    with get_client(sync_client=True) as client:
        try:
            client.read_deployment_by_name(name)
        except ObjectNotFound:
            raise ConfigError(
                f"no deployment {name} on the Prefect server at {os.environ['PREFECT_API_URL']}: "
                "run `prefect deploy --all` in the clone (README: Running as a team)"
            ) from None
        if not _online_workers(client):
            log(f"no worker is polling the {WORK_POOL!r} pool yet: chunks wait for one")
        waiting, running = list(chunks), []
        seen: dict[str, tuple[str, int]] = {}
        log(f"{len(chunks)} chunks of up to {chunk_months} months, {parallel} at a time")
        try:
            while waiting or running:
                while waiting and len(running) < parallel:
                    chunk = waiting.pop(0)
                    run = run_deployment(
                        name,
                        parameters={
                            **parameters,
                            "start": str(chunk.months[0]),
                            "end": str(chunk.months[-1]),
                        },
                        flow_run_name=f"backfill-chunk-{chunk.label}",
                        timeout=0,
                        idempotency_key=f"{parent_id}:{chunk.label}",
                        client=client,
                    )
                    chunk.flow_run_id, chunk.state = run.id, "scheduled"
                    running.append(chunk)
                time.sleep(POLL_SECONDS)
                for chunk in _poll(client, running, summary):
                    running.remove(chunk)
                    log(f"chunk {chunk.label}: {chunk.state}{_detail(chunk)}")
                for chunk in chunks:
                    now = (chunk.state if chunk.state in SHOWN else "", chunk.done_cells)
                    if now[0] and now != seen.get(chunk.label):
                        seen[chunk.label] = now
                        on_progress(chunks, chunk)
        except BaseException:
            _cancel(client, running)
            raise
    return chunks


def _poll(client, running: list[Chunk], summary: IngestSummary) -> list[Chunk]:
    """Update the running chunks from the server; the ones that finished, their figures folded."""
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterFlowRunId,
        ArtifactFilterKey,
        FlowRunFilter,
        FlowRunFilterId,
    )

    finished = []
    ids = [chunk.flow_run_id for chunk in running]
    # one request for every chunk's state, one for their artifacts: whatever the number of chunks
    states = {
        run.id: run.state
        for run in client.read_flow_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=ids))
        )
    }
    artifacts = client.read_artifacts(
        artifact_filter=ArtifactFilter(
            flow_run_id=ArtifactFilterFlowRunId(any_=ids),
            key=ArtifactFilterKey(any_=[CHUNK_PROGRESS_KEY, SUMMARY_KEY]),
        )
    )
    by_run: dict[tuple[UUID, str], object] = {}
    for artifact in sorted(artifacts, key=lambda a: a.updated or a.created):
        by_run[(artifact.flow_run_id, artifact.key)] = artifact.data
    for chunk in running:
        percent = by_run.get((chunk.flow_run_id, CHUNK_PROGRESS_KEY))
        if isinstance(percent, int | float):
            chunk.percent = float(percent)
        state = states.get(chunk.flow_run_id)
        if state is None or not state.is_final():
            chunk.state = state.name.lower() if state is not None else "scheduled"
            continue
        chunk.state = state.name.lower()
        chunk.message = state.message or ""
        figures = by_run.get((chunk.flow_run_id, SUMMARY_KEY))
        if figures is not None:
            summary.merge(read_summary(figures))
        elif not state.is_completed():
            summary.failed.append(f"chunk {chunk.label}: {state.name}: {chunk.message}")
        finished.append(chunk)
    return finished


def _online_workers(client) -> list:
    from prefect.client.schemas.filters import WorkerFilter, WorkerFilterStatus
    from prefect.exceptions import ObjectNotFound

    try:
        return client.read_workers_for_work_pool(
            WORK_POOL, worker_filter=WorkerFilter(status=WorkerFilterStatus(any_=["ONLINE"]))
        )
    except ObjectNotFound:  # the pool does not exist yet: only a hint for the log
        return []


def _cancel(client, running: list[Chunk]) -> None:
    """The parent stops (interrupted, failed): its chunks still in flight are cancelled. A chunk
    already running is asked to stop (Cancelling: its process is stopped, then Cancelled); one no
    worker has started yet is Cancelled outright, as nothing would ever move it on from
    Cancelling."""
    from prefect.states import Cancelled, Cancelling

    for chunk in running:
        state = client.read_flow_run(chunk.flow_run_id).state
        if state is not None and state.is_final():
            continue
        stop = Cancelling() if state is not None and state.is_running() else Cancelled()
        client.set_flow_run_state(chunk.flow_run_id, stop, force=True)


def _detail(chunk: Chunk) -> str:
    return f" ({chunk.message})" if chunk.message and chunk.state != "completed" else ""


def write_summary(summary: IngestSummary) -> None:
    """A chunk's figures, for its parent: a table artifact on the chunk's flow run."""
    from prefect.artifacts import create_table_artifact

    create_table_artifact(
        [{"field": k, "value": json.dumps(v)} for k, v in summary.as_dict().items()],
        key=SUMMARY_KEY,
        description="this chunk's figures, folded into its parent backfill's",
    )


def read_summary(data: object) -> dict:
    rows = json.loads(data) if isinstance(data, str) else data
    return {row["field"]: json.loads(row["value"]) for row in rows}
