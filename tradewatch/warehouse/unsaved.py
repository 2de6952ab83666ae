"""Fetched bytes a run could not write because another process held the warehouse file.

A notebook's connection held past a run's ``--wait`` stops the run's writes, not its fetches:
what was fetched is kept beside the warehouse, in ``<warehouse>.unsaved/`` — each body
compressed under its sha256, each exchange a JSON line — and the next run that can write stores
it in ``raw.http_responses`` as if it had been written at once (same exchange ids, same run id),
then removes it. Nothing fetched is lost to a busy file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
import uuid
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

import duckdb
import zstandard

from .bodies import pack, write_packed

SUFFIX = ".unsaved"


def keep(folder: Path, exchanges: Sequence, run_id: str) -> Path:
    """Write ``exchanges`` (bodies first, then the list that names them) into ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for exchange in exchanges:
        fields = {k: v for k, v in asdict(exchange).items() if k != "body"}
        digest = hashlib.sha256(exchange.body).hexdigest()
        write_packed(folder, digest, pack(exchange.body))
        fields.update(
            run_id=run_id, body_sha256=digest, fetched_at=fields["fetched_at"].isoformat()
        )
        lines.append(json.dumps(fields, sort_keys=True))
    target = folder / f"{run_id}.{uuid.uuid4().hex[:8]}.jsonl"
    handle, temporary = tempfile.mkstemp(dir=folder, prefix=".list.")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write("\n".join(lines) + "\n")
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, target)  # a list is whole or absent: its bodies are on disk before it
    return target


def pending(folder: Path) -> list[Path]:
    """The lists waiting in ``folder``, oldest first."""
    if not folder.is_dir():
        return []
    return sorted(folder.glob("*.jsonl"), key=lambda p: p.stat().st_mtime)


def read(path: Path) -> tuple[str, list]:
    """One list's run id and exchanges (``Exchange``, as fetched), each body checked against
    its sha256."""
    from ..pipelines.http import Exchange  # the run that reads them back has it loaded

    run_id, kept = "", []
    for line in path.read_text("utf-8").splitlines():
        fields = json.loads(line)
        run_id = fields.pop("run_id")
        digest = fields.pop("body_sha256")
        packed = path.parent / digest[:2] / f"{digest}.zst"
        body = zstandard.ZstdDecompressor().decompress(packed.read_bytes())
        if hashlib.sha256(body).hexdigest() != digest:
            raise ValueError(f"{packed} does not hold the bytes {path.name} names")
        fields["fetched_at"] = dt.datetime.fromisoformat(fields["fetched_at"])
        fields["sha256"] = digest
        kept.append(Exchange(body=body, **fields))
    return run_id, kept


def _named(path: Path) -> set[str]:
    return {json.loads(line)["body_sha256"] for line in path.read_text("utf-8").splitlines()}


def store_pending(con: duckdb.DuckDBPyConnection, folder: Path) -> int:
    """Store every waiting list in the warehouse (one transaction each), then remove it and
    the bodies only it named; the exchanges stored."""
    from .load import record_exchanges

    stored, lists = 0, pending(folder)
    names = {path: _named(path) for path in lists}  # each list read once for what it names
    for path in lists:
        run_id, kept = read(path)
        stored += record_exchanges(con, kept, run_id)
        path.unlink()
        del names[path]
        still_named = set().union(*names.values())
        for exchange in kept:
            if exchange.sha256 not in still_named:
                packed = folder / exchange.sha256[:2] / f"{exchange.sha256}.zst"
                packed.unlink(missing_ok=True)
                if packed.parent.is_dir() and not any(packed.parent.iterdir()):
                    packed.parent.rmdir()
    if folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
    return stored
