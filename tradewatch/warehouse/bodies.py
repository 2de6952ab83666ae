"""Where fetched bodies are kept: small ones inside the warehouse, large ones beside it.

A body larger than ``INLINE_MAX`` bytes is compressed with zstd into
``<warehouse>.bodies/<sha256[:2]>/<sha256>.zst`` (written to a temporary name, flushed to disk,
then renamed), and ``raw.http_bodies`` records where: storing a few hundred megabytes as a
DuckDB BLOB costs seconds per hundred megabytes, the file a fraction of a second. Either way the
row carries the sha256 and size of the bytes as fetched, and ``read_body`` gives them back.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import duckdb
import zstandard

from .db import INLINE, WarehouseError

INLINE_MAX = 4 * 2**20
ZSTD_LEVEL = 3
# A payload kept from disk is read once, in full, while it loads: at level 1 zstd packs a
# Comtrade JSON payload as small as level 3 does (25 MB to 27 MB for 876 MB) in 85% of the time.
FILE_ZSTD_LEVEL = 1


def pack(body: bytes) -> bytes:
    """A body as the zstd frame its file holds."""
    return zstandard.ZstdCompressor(level=ZSTD_LEVEL).compress(body)


def store_root(con: duckdb.DuckDBPyConnection) -> Path | None:
    """``<warehouse>.bodies`` for a warehouse file, ``<data path>/tradewatch.bodies`` for a
    lake; None where every body stays inside (an in-memory database, a lake on object storage)."""
    chosen = con.execute("select getvariable('tradewatch_bodies')").fetchall()
    if chosen and chosen[0][0] == INLINE:
        return None
    if chosen and chosen[0][0]:
        return Path(chosen[0][0])
    rows = con.execute(
        "select path from duckdb_databases() where database_name = current_database()"
    ).fetchall()
    path = rows[0][0] if rows else None
    return Path(f"{path}.bodies") if path else None


def write_packed(root: Path, digest: str, packed: bytes) -> str:
    """Put a compressed body in the store (once); return its path relative to the store."""
    relative = f"{digest[:2]}/{digest}.zst"
    target = root / relative
    if target.is_file():
        return relative
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{digest}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(packed)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return relative


def read_body(con: duckdb.DuckDBPyConnection, sha256: str) -> bytes:
    """The bytes of a stored body, from the warehouse or from its file (checked by hash)."""
    rows = con.execute(
        "select body, stored_as from raw.http_bodies where sha256 = ?", [sha256]
    ).fetchall()
    if not rows:
        raise WarehouseError(f"no body {sha256} in raw.http_bodies")
    body, stored_as = rows[0]
    if stored_as is None:
        return bytes(body)
    root = store_root(con)
    if root is None:
        raise WarehouseError(f"body {sha256} is in a file, but the warehouse has no path")
    path = root / stored_as
    try:
        with open(path, "rb") as packed:
            # Streamed files carry no content size in their frame: read them as a stream.
            data = zstandard.ZstdDecompressor().stream_reader(packed).read()
    except (OSError, zstandard.ZstdError) as exc:
        raise WarehouseError(f"body {sha256}: cannot read {path}: {exc}") from exc
    if hashlib.sha256(data).hexdigest() != sha256:
        raise WarehouseError(f"body {sha256}: {path} does not hold the bytes it should")
    return data


def file_store(con: duckdb.DuckDBPyConnection) -> Path:
    """Where a streamed payload is kept; a named error where no directory can keep it."""
    root = store_root(con)
    if root is None:
        raise WarehouseError(
            "a streamed payload is kept as a file: it needs a warehouse file or a lake with a "
            "local data path, not an in-memory database or object storage"
        )
    return root


def keep_file(root: Path, path: Path, chunk: int = 16 * 2**20) -> tuple:
    """Keep a payload that is already on disk in the store at ``root`` (``file_store``),
    reading it once in chunks: its sha256 and size, and where it is stored (``stored_as``),
    without holding it in memory. It touches no database, and hashing and compressing let other
    threads run: it may keep a file while the load reads it."""
    root.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    handle, temporary = tempfile.mkstemp(dir=root, prefix=".incoming.")
    try:
        with os.fdopen(handle, "wb") as out, open(path, "rb") as source:
            with zstandard.ZstdCompressor(level=FILE_ZSTD_LEVEL).stream_writer(
                out, closefd=False
            ) as packer:
                while block := source.read(chunk):
                    digest.update(block)
                    packer.write(block)
                    size += len(block)
            out.flush()
            os.fsync(out.fileno())
        sha = digest.hexdigest()
        relative = f"{sha[:2]}/{sha}.zst"
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        os.replace(temporary, root / relative)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return sha, size, relative
