"""The settings a forked worker asks of the C library, checked on recording stand-ins (the
real calls are made by the bulk load's workers, tests/pipelines/comtrade/test_bulk.py)."""

from __future__ import annotations

import os
import signal

from tradewatch import lifetime


def test_a_worker_keeps_what_it_frees_with_the_mmap_threshold_at_glibcs_ceiling():
    calls = []
    lifetime.keep_freed_memory(256 * 2**20, mallopt=lambda *a: calls.append(a))
    assert calls == [
        (lifetime.M_MMAP_THRESHOLD, 32 * 2**20),
        (lifetime.M_TRIM_THRESHOLD, 256 * 2**20),
    ]
    calls.clear()
    lifetime.keep_freed_memory(2**20, mallopt=lambda *a: calls.append(a))
    assert calls == [(lifetime.M_MMAP_THRESHOLD, 2**20), (lifetime.M_TRIM_THRESHOLD, 2**20)]
    lifetime.keep_freed_memory(2**20, mallopt=None)  # not glibc: nothing asked


def test_a_child_asks_for_the_parent_death_signal():
    calls = []
    lifetime.die_with(os.getppid(), signal.SIGKILL, prctl=lambda *a: calls.append(a))
    assert calls == [(lifetime.PR_SET_PDEATHSIG, signal.SIGKILL)]
