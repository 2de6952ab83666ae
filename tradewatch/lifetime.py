"""Child processes that end with their parent, however the parent ends (kill -9 included)."""

from __future__ import annotations

import ctypes
import os
import sys

PR_SET_PDEATHSIG = 1


def resolve_prctl():
    """Linux's ``prctl``, resolved in the parent (never after a fork); None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


PRCTL = resolve_prctl()


def die_with(parent: int, signal_number: int, prctl=PRCTL) -> None:
    """In a forked child: ``signal_number`` when ``parent`` dies (Linux's parent-death signal;
    nothing elsewhere), and an exit now if it has died already."""
    if prctl is not None:
        prctl(PR_SET_PDEATHSIG, signal_number)
    if os.getppid() != parent:  # the parent died before the signal was asked for
        os._exit(1)
