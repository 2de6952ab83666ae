"""Real responses and pages from other public repositories, read in place from ../shared/samples.

They are other people's files, so they are not copied into this repository; in a clone without
``../shared`` beside it, the tests that read them skip with one clear reason.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# TRADEWATCH_SHARED_SAMPLES: the folder, where the tests run from a copy of the project
# (mutmut's mutants/) and ../shared is not beside it
SHARED_SAMPLES = Path(
    os.environ.get("TRADEWATCH_SHARED_SAMPLES")
    or Path(__file__).resolve().parents[1].parent / "shared" / "samples"
)


def shared_sample(relative: str) -> Path:
    """The path of ``../shared/samples/<relative>``; skip the test when it is absent."""
    path = SHARED_SAMPLES / relative
    if not path.exists():
        pytest.skip(f"needs the real sample ../shared/samples/{relative} (absent in this clone)")
    return path
