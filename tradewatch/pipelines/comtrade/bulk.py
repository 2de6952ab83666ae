"""A Comtrade payload on disk read by several processes at once.

The same decoders, frames and checks as ``iter_payload_frames``, on a byte range of the ``data``
array per process: the file is mapped, cut before a record's opening brace about every
``batch_bytes``, and each range is read, decoded, framed and checked in a worker. The main
process gets the checked batches back in the file's order, their row numbers shifted to the
record's position in ``data``, while it keeps the file. Given a ``stage``, a worker also stages
its rows itself (the loader's Parquet files) and sends back only what says where they are.

A cut is only a guess: ``},{`` may stand inside a text. A range cut there does not decode (its
text is left open), and from that range on the payload is read by ``iter_payload_frames`` in
this process, as before. So is a payload of one batch (a worker would only add its start).
"""

from __future__ import annotations

import mmap
import multiprocessing
import os
import re
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

import msgspec
import pandas as pd

from ...lifetime import die_with, keep_freed_memory
from ...schemas import ValidationResult

# the streamed reader's own decoders and frames: the ranges are read exactly as its batches
from .parse import _BATCH, _DATA_START, _TYPED_BATCH, _check_document, _frame, iter_payload_frames

Check = Callable[[pd.DataFrame], ValidationResult]

_BOUNDARY = re.compile(rb"\}\s*,\s*\{")  # a record ends and the next begins, or a text says so


@dataclass(frozen=True)
class Plan:
    """Where the ``data`` array's records lie in the file, cut into ranges."""

    head: bytes  # the document up to and including ``"data":[``
    ranges: tuple[tuple[int, int], ...]  # [start, end) of whole records, in order
    tail: bytes  # the document after the array's ``]``


def plan(path: Path, batch_bytes: int) -> Plan | None:
    """The ranges to read, or None where the file is not a plain array of records to cut (no
    ``data`` near the start, an empty array, one batch): those are read in one process."""
    with open(path, "rb") as handle:
        if handle.seek(0, 2) == 0:
            return None
        with mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            found = _DATA_START.search(mapped, 0, min(len(mapped), 4 * batch_bytes))
            if found is None:
                return None
            start = found.end()
            while mapped[start : start + 1].isspace():
                start += 1
            close = mapped.rfind(b"]", start)
            last = mapped.rfind(b"}", start, max(close, start))
            if close == -1 or last == -1 or mapped[last + 1 : close].strip():
                return None  # no "}]" at the end: not what a bulk payload looks like
            ranges: list[tuple[int, int]] = []
            position, stop = start, last + 1
            while position < stop:
                cut = _BOUNDARY.search(mapped, min(position + batch_bytes, stop), stop)
                if cut is None:
                    ranges.append((position, stop))
                    break
                ranges.append((position, cut.start() + 1))
                position = cut.end() - 1
            if len(ranges) < 2:
                return None
            return Plan(bytes(mapped[: found.end()]), tuple(ranges), bytes(mapped[close + 1 :]))


def forkable() -> bool:
    """Whether this process may fork workers: no other Python thread runs (a thread holding a
    lock at the fork would leave the worker's copy locked forever). A Prefect task or a server
    runs threads: the batches are then read in this process."""
    return threading.active_count() == 1


_buffer = bytearray()


def read_range(
    path: str, start: int, end: int, check: Check, stage: Callable | None = None
) -> tuple[int, Any] | None:
    """How many records one range holds, and their rows checked, numbered from 0 (given to
    ``stage``, which returns what to send back instead); None when the range does not decode
    as whole records (a cut inside a text) or the file got shorter since it was planned."""
    try:
        decoded = _decode_mapped(path, start, end)
    except OSError:  # a file system that cannot map it: read into this worker's buffer
        decoded = _decode_read(path, start, end)
    if decoded is None:
        return None
    records, typed = decoded
    checked = check(_frame(records, typed))
    return len(records), checked if stage is None else stage(checked)


def _decode_mapped(path: str, start: int, end: int) -> tuple[list, bool] | None:
    """The range decoded straight from the file's pages, not copied first: mapped privately,
    the byte before its first record (``[``, ``,`` or a space) and the one after its last
    made the array's brackets. Only the two pages written are copied; the file is unchanged."""
    first = start - 1
    base = first - first % mmap.ALLOCATIONGRANULARITY
    with open(path, "rb") as handle:
        if os.fstat(handle.fileno()).st_size <= end:
            return None  # shorter than planned (a byte past its end would be SIGBUS)
        mapped = mmap.mmap(
            handle.fileno(),
            end + 1 - base,
            flags=mmap.MAP_PRIVATE,
            prot=mmap.PROT_READ | mmap.PROT_WRITE,
            offset=base,
        )
    with mapped:
        mapped[first - base], mapped[end - base] = ord("["), ord("]")
        with memoryview(mapped) as view, view[first - base :] as array:
            return _decode(array)


def _decode_read(path: str, start: int, end: int) -> tuple[list, bool] | None:
    """The range read into a buffer between brackets, then decoded."""
    global _buffer
    if len(_buffer) < end - start + 2:  # one buffer a worker: its pages are touched once
        _buffer = bytearray(end - start + 2)
    buffer = memoryview(_buffer)[: end - start + 2]
    buffer[0], buffer[-1] = ord("["), ord("]")
    view = buffer[1:-1]
    with open(path, "rb", buffering=0) as handle:
        handle.seek(start)
        filled = 0
        while filled < len(view):
            read = handle.readinto(view[filled:])
            if not read:
                return None  # the file got shorter since it was planned
            filled += read
    return _decode(buffer)


def _decode(array) -> tuple[list, bool] | None:
    """The records of a JSON array, typed when they all are; None when it is not whole."""
    try:
        return _TYPED_BATCH.decode(array), True
    except msgspec.ValidationError:
        try:
            return _BATCH.decode(array), False
        except msgspec.DecodeError:
            return None
    except msgspec.DecodeError:
        return None


def shifted(checked: Any, offset: int) -> Any:
    """Row numbers moved from the range's to the payload's (a staged batch moves its own)."""
    if not isinstance(checked, ValidationResult):
        return checked.shifted(offset)
    valid = checked.valid.copy(deep=False)
    valid.index = valid.index + offset
    quarantine = checked.quarantine.copy()
    if len(quarantine):
        quarantine["row_index"] = quarantine["row_index"] + offset
    return ValidationResult(valid, quarantine)


class ParallelBatches:
    """The checked batches of a payload on disk, read by ``workers`` processes.

    Started on creation, so that the workers read while the caller keeps the file; at most four
    ranges a worker are in flight, so memory holds a few batches whatever the file's size. Use
    as a context manager; ``batches`` is the ``load_file`` callable (its reader is not used).
    With ``stage``, a worker hands each range's checked rows to ``stage(number, checked)``
    (the ranges numbered from 0) and sends back what it returns, something with a
    ``shifted(offset)``; the batches read in this process after a bad cut are not staged.
    The workers are forked: the caller checks ``forkable`` first.
    """

    def __init__(
        self, url: str, path: Path, plan: Plan, check: Check, workers: int, stage=None
    ) -> None:
        self.url, self.path, self.plan, self.check, self.stage = url, path, plan, check, stage
        # forked: started at once, nothing imported again, and no caller's script run again
        # (as spawned processes do); ``forkable`` says when forking is safe
        context = multiprocessing.get_context("fork")
        self.pool = ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=_start_worker,
            initargs=(os.getpid(),),
        )
        self.pending: deque[Future] = deque()
        self.next_range = 0
        self.window = 4 * workers
        self._submit()

    def __enter__(self) -> ParallelBatches:
        return self

    def __exit__(self, *exc) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def _submit(self) -> None:
        ranges = self.plan.ranges
        while len(self.pending) < self.window and self.next_range < len(ranges):
            start, end = ranges[self.next_range]
            stage = partial(self.stage, self.next_range) if self.stage else None
            self.pending.append(
                self.pool.submit(read_range, str(self.path), start, end, self.check, stage)
            )
            self.next_range += 1

    def batches(self, _reader: BinaryIO | None = None) -> Iterator[ValidationResult]:
        offset = 0
        for start, _end in self.plan.ranges:
            read = self.pending.popleft().result()
            self._submit()
            if read is None:  # a cut inside a text: the rest in this process, as one stream
                for future in self.pending:
                    future.cancel()
                yield from self._serial_from(start, offset)
                return
            records, checked = read
            yield shifted(checked, offset)
            offset += records
        _check_document(self.url, self.plan.head + b"]" + self.plan.tail)

    def _serial_from(self, start: int, offset: int) -> Iterator[ValidationResult]:
        with open(self.path, "rb") as handle:
            handle.seek(start)
            reader = _Prefixed(self.plan.head, handle)
            for frame in iter_payload_frames(self.url, reader, batch_bytes=self.batch_bytes):
                yield shifted(self.check(frame), offset)

    @property
    def batch_bytes(self) -> int:
        return max(end - start for start, end in self.plan.ranges)


def _start_worker(parent: int) -> None:
    """Ctrl-C reaches the workers too (one process group): the command handles it, stopping
    them, so that they do not each print a traceback. A worker ends with the command, however
    the command ends: it shares the command's open files, the run lock's among them, so a
    command killed alone (kill -9) would leave its workers waiting for work and holding the
    lock for good. Each worker keeps the memory its batches free for the next one."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with(parent, signal.SIGKILL)
    keep_freed_memory(256 * 2**20)


class _Prefixed:
    """A reader giving ``prefix`` first, then the rest of ``rest``."""

    def __init__(self, prefix: bytes, rest: BinaryIO) -> None:
        self.prefix, self.rest = prefix, rest

    def read(self, size: int = -1) -> bytes:
        if not self.prefix:
            return self.rest.read(size)
        out, self.prefix = self.prefix[: size if size >= 0 else None], self.prefix[max(size, 0) :]
        if size < 0 or len(out) < size:
            out += self.rest.read(-1 if size < 0 else size - len(out))
        return out
