"""The parallel backfill's parts that need no server: chunks, counts, summaries, refusals.

The whole path (a Prefect server, the work pool, three workers) is tests/lake/test_workers.py.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from types import SimpleNamespace

import pytest

from tradewatch.errors import ConfigError
from tradewatch.flows import fanout
from tradewatch.flows.ingest import IngestSummary
from tradewatch.schemas import Month
from tradewatch.warehouse import Warehouse


def _months(start: str, end: str) -> list[Month]:
    return Month.span(Month.parse(start), Month.parse(end))


def test_a_range_splits_into_consecutive_chunks_the_last_one_short():
    parts = fanout.split(_months("2015-01", "2018-03"), 12)
    assert [(str(p[0]), str(p[-1])) for p in parts] == [
        ("2015-01", "2015-12"), ("2016-01", "2016-12"), ("2017-01", "2017-12"),
        ("2018-01", "2018-03"),
    ]  # fmt: skip
    assert sum(map(len, parts)) == 39
    with pytest.raises(ConfigError):
        fanout.split(_months("2015-01", "2015-02"), 0)


def test_progress_counts_chunks_and_months():
    parts = fanout.split(_months("2015-01", "2016-06"), 12)
    chunks = [fanout.Chunk(part, len(part) * 2) for part in parts]
    chunks[0].state = "completed"
    chunks[1].state, chunks[1].percent = "running", 50.0
    assert fanout.counts(chunks) == "1/2 chunks done, 15/18 months"
    chunks[1].state = "crashed"
    assert fanout.counts(chunks).startswith("2/2 chunks done")


def test_chunk_summaries_fold_into_the_parents():
    parent = IngestSummary(months=["2015-01", "2016-12"])
    first = IngestSummary(months=["2015-01"], rows_fetched=10, rows_new=8, skipped=1)
    first.unavailable = {"archive starts in 2018": ["gacc 2015-02", "gacc 2015-01"]}
    first.quarantine_reasons = {"negative weight": 2}
    second = IngestSummary(months=["2016-01"], rows_fetched=5, rows_new=5)
    second.failed = ["comtrade 2016-03: HTTP 500"]
    second.unavailable = {"archive starts in 2018": ["gacc 2016-01"]}
    second.quarantine_reasons = {"negative weight": 1, "unknown unit": 4}
    for chunk in (second, first):  # in the order they finish
        parent.merge(fanout.read_summary(_as_artifact(chunk)))
    assert (parent.rows_fetched, parent.rows_new, parent.skipped) == (15, 13, 1)
    assert parent.months == ["2015-01", "2016-12"]
    assert parent.unavailable == {
        "archive starts in 2018": ["gacc 2015-01", "gacc 2015-02", "gacc 2016-01"]
    }
    assert parent.quarantine_reasons == {"negative weight": 3, "unknown unit": 4}
    assert parent.failed == ["comtrade 2016-03: HTTP 500"]


def _as_artifact(summary: IngestSummary) -> str:
    """What the server hands back for ``write_summary``'s table artifact: its JSON."""
    return json.dumps([{"field": k, "value": json.dumps(v)} for k, v in summary.as_dict().items()])


class _Server:
    """The few reads ``_poll`` makes, answered from a dict: flow run id -> (state, artifacts)."""

    def __init__(self, runs: dict):
        self.runs = runs

    def read_artifacts(self, artifact_filter):
        return [
            SimpleNamespace(
                flow_run_id=run_id,
                key=key,
                data=data,
                updated=None,
                created=dt.datetime(2026, 11, 1),
            )  # fmt: skip
            for run_id, (_, artifacts) in self.runs.items()
            for key, data in artifacts.items()
        ]

    def read_flow_runs(self, flow_run_filter):
        return [
            SimpleNamespace(id=run_id, state=self.runs[run_id][0])
            for run_id in flow_run_filter.id.any_
        ]


def test_a_finished_chunk_reports_its_figures_a_crashed_one_is_named():
    from prefect.states import Completed, Crashed, Running

    done, crashed, busy = (fanout.Chunk(part, len(part)) for part in
                           fanout.split(_months("2015-01", "2017-12"), 12))  # fmt: skip
    for chunk in (done, crashed, busy):
        chunk.flow_run_id = uuid.uuid4()
    figures = IngestSummary(months=["2015-01"], rows_fetched=7)
    server = _Server({
        done.flow_run_id: (Completed(), {fanout.SUMMARY_KEY: _as_artifact(figures),
                                         fanout.CHUNK_PROGRESS_KEY: 100.0}),
        crashed.flow_run_id: (Crashed(message="worker killed"), {fanout.CHUNK_PROGRESS_KEY: 25.0}),
        busy.flow_run_id: (Running(), {fanout.CHUNK_PROGRESS_KEY: 50.0}),
    })  # fmt: skip
    summary = IngestSummary(months=["2015-01", "2017-12"])
    finished = fanout._poll(server, [done, crashed, busy], summary)
    assert finished == [done, crashed]
    assert summary.rows_fetched == 7
    assert summary.failed == ["chunk 2016-01..2016-12: Crashed: worker killed"]
    assert (busy.state, busy.done_cells) == ("running", 6)


@pytest.mark.parametrize(
    ("api_url", "warehouse", "refusal"),
    [
        (None, "ducklake:postgres:dbname=lake host=db", "set PREFECT_API_URL"),
        ("http://prefect.test/api", "w.duckdb", "needs a DuckLake warehouse"),
        ("http://prefect.test/api", "ducklake:postgres:dbname=lake password=s3cret",
         "carries a password"),
    ],
)  # fmt: skip
def test_a_parallel_backfill_is_refused_where_it_cannot_run(monkeypatch, api_url, warehouse,
                                                            refusal):  # fmt: skip
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    if api_url:
        monkeypatch.setenv("PREFECT_API_URL", api_url)
    with pytest.raises(ConfigError, match=refusal) as caught:
        fanout.check_parallel(Warehouse(warehouse))
    assert "s3cret" not in str(caught.value)


def test_the_ok_address_goes_to_the_chunks_as_given(monkeypatch):
    monkeypatch.setenv("PREFECT_API_URL", "http://prefect.test/api")
    address = "ducklake:postgres:dbname=lake host=db user=tw"
    assert fanout.check_parallel(Warehouse(address)) == address
