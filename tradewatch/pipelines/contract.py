"""What a source tells the ingest engine besides its data: an answer refused, months noted.

The source interface itself is ``tradewatch.sources.Source``; the engine in ``flows/ingest.py``
runs any source the same way — fetch (I/O) → keep every byte → parse and check (pure) → load
(one transaction) → ledger.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..schemas import Month


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
