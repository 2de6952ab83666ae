"""Politeness to a source's host across processes and machines: Prefect global rate limits.

Each process keeps its own minimum interval per host (``PoliteTransport``), so N workers on N
machines would together ask a host N times as often. Run against a Prefect server
(``PREFECT_API_URL`` in the environment, or ``TRADEWATCH_HOST_LIMITS=prefect``), every live
request first takes a slot of the global concurrency limit ``tradewatch-host-<host>``: one slot,
decaying at 1/interval per second, so the server lets one request through per interval whoever
asks. The limit is created on first use; an operator may tighten it with
``prefect gcl update tradewatch-host-<host> --slot-decay-per-second R``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

from ..errors import ConfigError

ENV = "TRADEWATCH_HOST_LIMITS"
PREFIX = "tradewatch-host-"
# A turn longer than this means the server's limit is far stricter than ours, or stuck.
WAIT_SECONDS = 900.0

_ready: set[str] = set()
_ready_lock = threading.Lock()


class HostLimitError(ConfigError):
    """``TRADEWATCH_HOST_LIMITS`` names no known mode."""


def mode() -> str:
    """``prefect`` (shared through the Prefect server) or ``local`` (this process only)."""
    chosen = os.environ.get(ENV, "").strip().lower()
    if chosen in {"prefect", "local"}:
        return chosen
    if chosen:
        raise HostLimitError(f"{ENV}={chosen!r}: expected 'prefect' or 'local'")
    return "prefect" if os.environ.get("PREFECT_API_URL") else "local"


def shared_turn() -> Callable[[str, float], None] | None:
    """The hook a polite transport calls before each live request, or None for local only."""
    return take_turn if mode() == "prefect" else None


def limit_name(host: str) -> str:
    return PREFIX + host


def ensure_limit(host: str, interval: float) -> str:
    """The host's limit on the server, created if no process made it yet."""
    name = limit_name(host)
    with _ready_lock:
        if name in _ready:
            return name
        from prefect.client.orchestration import get_client
        from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
        from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

        with get_client(sync_client=True) as client:
            try:
                client.read_global_concurrency_limit_by_name(name)
            except ObjectNotFound:
                limit = GlobalConcurrencyLimitCreate(
                    name=name, limit=1, slot_decay_per_second=1.0 / interval
                )
                try:
                    client.create_global_concurrency_limit(limit)
                except ObjectAlreadyExists:  # another worker made it first
                    pass
        _ready.add(name)
    return name


def take_turn(host: str, interval: float) -> None:
    """Wait until the server lets one more request to ``host`` through."""
    from prefect.concurrency.sync import rate_limit

    rate_limit(ensure_limit(host, interval), timeout_seconds=WAIT_SECONDS, strict=True)
