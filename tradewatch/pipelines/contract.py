"""What a source tells the ingest engine: plain functions and data, nothing else.

The engine in ``flows/engine.py`` runs any source the same way — fetch (I/O) → keep every byte
→ parse and check (pure) → load (one transaction) → ledger — and a source says only what is its
own: how to make its client, how to fetch one request, how to check the raw answer and how the
checked rows load (its ``warehouse/<source>.py``). ``tradewatch/sources.py`` assembles them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from ..schemas import Month
from .http import ExchangeLog


@dataclass(frozen=True)
class Refused:
    """An answer that is not kept, and why — an outcome of its request, not a failed month (a
    news page with no article on it, say). ``fetch`` or ``check`` return it instead of data."""

    reason: str
    exchange_id: str | None = None


@dataclass(frozen=True)
class Note:
    """What a source noted about months while planning or running: a failure, or months it knows
    are not published, with the address it concerns where there is one."""

    months: Sequence[Month]
    message: str
    status: str = "failed"
    series_keys: Sequence[str] | None = None
    exchange_id: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class SourceSpec:
    """One source, as the engine sees it."""

    name: str
    # the source's client: live and polite, or answering from recordings (offline)
    client: Callable[[ExchangeLog, bool], httpx.Client]
    # one request's bytes (I/O only); the answer carries the ``exchange_id`` its bytes are kept as
    fetch: Callable[[httpx.Client, Any, Mapping[str, Any]], Any]
    # the raw answer parsed and checked against the source's schema (pure)
    check: Callable[[Any], Any]
    # the checked rows into the warehouse, in one transaction, with their ledger rows:
    # (connection, raw, checked, run_id, flow_run_id) -> the months' loads
    load: Callable[..., list]
    # the months a request stands for (its ledger rows, when it fails)
    months: Callable[[Any], Sequence[Month]]
    # a request as a log line names it
    label: Callable[[Any], str] = str
    # the requests for watched series and months: (client, series, months, note, options)
    # -> requests.
    # It may read index pages (their bytes are kept like any other) and ``note`` ledger rows
    # for months it already knows the answer to (``note(months, message, status, keys)``).
    plan: Callable[..., Sequence[Any]] | None = None
    # an answer whose bytes were loaded before adds ledger rows only (False: load it again,
    # for sources whose months are only known once the answer is parsed)
    skip_unchanged: bool = True
    # a ``Refused`` answer recorded: (connection, request, refused, run_id, months) -> None
    refuse: Callable[..., None] | None = None
    # for sources whose ledger is one row for the months, written once every request ran:
    # (connection, [(request, load outcome)], [Note], months, run_id, flow_run_id)
    #   -> (the months' loads, counters to add to the run's summary)
    finish: Callable[..., tuple[list, Mapping[str, int]]] | None = None
    options: Mapping[str, Any] = field(default_factory=dict)
