"""Child processes that end with their parent, however the parent ends (kill -9 included), and
that keep the memory they free for their next batch."""

from __future__ import annotations

import ctypes
import os
import sys

PR_SET_PDEATHSIG = 1


def _libc(name: str, **options):
    """A function of the C library, resolved in the parent (never after a fork); None where the
    system is not Linux or the library has none of that name."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return getattr(ctypes.CDLL(None, **options), name)
    except (OSError, AttributeError):
        return None


def resolve_prctl():
    """Linux's ``prctl``; None elsewhere."""
    return _libc("prctl", use_errno=True)


PRCTL = resolve_prctl()

# glibc's mallopt parameters: memory freed below the trim threshold stays with the process, and
# blocks below the mmap threshold come from its heap, not from a mapping of their own
M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3
MMAP_THRESHOLD_MAX = 32 * 2**20  # glibc's ceiling on 64-bit
MALLOPT = _libc("mallopt")


def die_with(parent: int, signal_number: int, prctl=PRCTL) -> None:
    """In a forked child: ``signal_number`` when ``parent`` dies (Linux's parent-death signal;
    nothing elsewhere), and an exit now if it has died already."""
    if prctl is not None:
        prctl(PR_SET_PDEATHSIG, signal_number)
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)


def keep_freed_memory(up_to: int, mallopt=MALLOPT) -> None:
    """In a worker that builds and frees batches of the same size over and over: keep up to
    ``up_to`` bytes of freed memory for the next batch rather than giving it back to the system
    and taking it again, page fault by page fault (0.05 core-seconds of the 2.4 that Comtrade's
    workers spend on 1M rows). Nothing where the C library is not glibc's."""
    if mallopt is not None:
        mallopt(M_MMAP_THRESHOLD, min(up_to, MMAP_THRESHOLD_MAX))
        mallopt(M_TRIM_THRESHOLD, up_to)
