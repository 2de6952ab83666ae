"""A Comext bulk file (``full_v2_YYYYMM.7z``) read as a stream of CSV blocks.

Nothing is extracted to disk and nothing holds the whole CSV: py7zr decompresses into a sink
that cuts complete lines into blocks of about ``block_bytes`` and hands them, through a queue a
few blocks deep, to the reader — so memory stays flat whatever the month's size. An archive
that is not one CSV member, that is truncated or damaged (7z keeps its header at the end, and a
CRC for each member), or that would unpack past ``MAX_UNPACKED_BYTES`` or ``MAX_RATIO`` times
its own size (a bomb) is refused by name, with its URL.
"""

from __future__ import annotations

import io
import queue
import threading
from collections.abc import Callable, Iterator

from py7zr.io import Py7zIO, WriterFactory

from ...pipelines.errors import LayoutChanged

BLOCK_BYTES = 8 * 2**20
# A month's CSV is about 400 MB (December 2025); ten times that is no month.
MAX_UNPACKED_BYTES = 4 * 2**30
# The CSV packs about 9:1; a thousand to one is a bomb, not statistics.
MAX_RATIO = 1000
MAX_LINE_BYTES = 2**20  # a row is about 100 bytes
_DEPTH = 3  # blocks in flight between the unpacking thread and the reader


class ArchiveRefused(LayoutChanged):
    """The bytes are not a Comext bulk archive tradewatch will unpack."""


def csv_blocks(body: bytes, url: str, block_bytes: int = BLOCK_BYTES) -> Iterator[bytes]:
    """The archive's one member, as blocks of whole lines (the last may lack its newline)."""
    import py7zr

    limit = min(MAX_UNPACKED_BYTES, max(len(body), 1) * MAX_RATIO)
    try:
        archive = py7zr.SevenZipFile(io.BytesIO(body), max_extract_size=limit)
    except Exception as exc:  # py7zr names a truncated or foreign file in its own terms
        raise ArchiveRefused(url, f"not a readable 7z archive ({_why(exc)})") from None
    with archive:
        members = [info for info in archive.list() if not info.is_directory]
        if len(members) != 1:
            raise ArchiveRefused(url, f"{len(members)} files in the archive, not one CSV")
        declared = members[0].uncompressed or 0
        if declared > limit:
            raise ArchiveRefused(
                url, f"{members[0].filename} would unpack to {declared:,} bytes from "
                f"{len(body):,} (more than {limit:,}: refused as a zip bomb)",
            )  # fmt: skip
        yield from _unpacked(archive, url, block_bytes, limit)


class _Sink(Py7zIO):
    """Where py7zr writes the member: whole lines, about ``block_bytes`` at a time, to ``put``."""

    def __init__(self, put: Callable[[bytes], None], url: str, block_bytes: int, limit: int):
        self.put, self.url, self.block_bytes, self.limit = put, url, block_bytes, limit
        self.written, self.pending = 0, bytearray()

    def write(self, data: bytes | bytearray) -> int:
        self.written += len(data)
        if self.written > self.limit:
            raise ArchiveRefused(
                self.url, f"unpacks past {self.limit:,} bytes: refused as a zip bomb"
            )
        self.pending += data
        while len(self.pending) >= self.block_bytes:
            cut = self.pending.rfind(b"\n", 0, self.block_bytes) + 1 or (
                self.pending.find(b"\n", self.block_bytes) + 1
            )
            if not cut:  # one line longer than a block: wait for its end, within reason
                if len(self.pending) > MAX_LINE_BYTES:
                    raise ArchiveRefused(self.url, f"a line longer than {MAX_LINE_BYTES:,} bytes")
                break
            self.put(bytes(self.pending[:cut]))
            del self.pending[:cut]
        return len(data)

    def read(self, size: int | None = None) -> bytes:
        return b""

    def seek(self, offset: int, whence: int = 0) -> int:
        return 0

    def flush(self) -> None:
        return None

    def size(self) -> int:
        return self.written

    def close(self) -> None:
        if self.pending:
            self.put(bytes(self.pending))
            self.pending.clear()


class _Sinks(WriterFactory):
    def __init__(self, make: Callable[[], _Sink]) -> None:
        self.make = make

    def create(self, filename: str) -> Py7zIO:
        return self.make()


def _unpacked(archive, url: str, block_bytes: int, limit: int) -> Iterator[bytes]:
    blocks: queue.Queue = queue.Queue(maxsize=_DEPTH)
    stop = threading.Event()
    done = object()

    def put(item) -> None:
        if not _offer(blocks, stop, item):  # the reader went away: stop unpacking
            raise _Stopped

    def unpack() -> None:
        try:
            archive.extract(factory=_Sinks(lambda: _Sink(put, url, block_bytes, limit)))
            put(done)
        except _Stopped:
            return
        except ArchiveRefused as exc:
            _offer(blocks, stop, exc)
        except Exception as exc:  # a CRC or stream error: the bytes are damaged
            _offer(blocks, stop, ArchiveRefused(url, f"damaged archive ({_why(exc)})"))

    worker = threading.Thread(target=unpack, name="comext-unpack", daemon=True)
    worker.start()
    try:
        while True:
            item = blocks.get()
            if item is done:
                return
            if isinstance(item, Exception):
                raise item
            yield item
    finally:
        stop.set()
        worker.join()


class _Stopped(Exception):
    """The reader stopped early; the unpacking thread ends quietly."""


def _offer(blocks: queue.Queue, stop: threading.Event, item) -> bool:
    """Hand ``item`` to the reader, waiting while the queue is full; False once it stopped."""
    while not stop.is_set():
        try:
            blocks.put(item, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False


def _why(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
