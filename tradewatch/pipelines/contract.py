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
    # the requests for watched series and months: (client, series, months, note) -> requests.
    # It may read index pages (their bytes are kept like any other) and ``note`` ledger rows
    # for months it already knows the answer to (``note(months, message, status, keys)``).
    plan: Callable[..., Sequence[Any]] | None = None
    # an answer whose bytes were loaded before adds ledger rows only (False: load it again,
    # for sources whose months are only known once the answer is parsed)
    skip_unchanged: bool = True
    options: Mapping[str, Any] = field(default_factory=dict)
