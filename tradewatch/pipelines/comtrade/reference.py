"""Country codes from Comtrade's reference list: ISO alpha-3 or M49 number to M49 number."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

_REPORTERS = Path(__file__).parent / "reference" / "Reporters.json"
WORLD = 0


@cache
def _codes() -> dict[str, int]:
    codes = {"W00": WORLD, "WLD": WORLD, "WORLD": WORLD}
    for entry in json.loads(_REPORTERS.read_text(encoding="utf-8"))["results"]:
        iso = entry.get("reporterCodeIsoAlpha3")
        if iso and not entry.get("isGroup"):
            codes.setdefault(iso.upper(), int(entry["reporterCode"]))
    return codes


@cache
def _names() -> dict[int, str]:
    names = {WORLD: "World"}
    for entry in json.loads(_REPORTERS.read_text(encoding="utf-8"))["results"]:
        names.setdefault(int(entry["reporterCode"]), entry["text"])
    return names


def country_name(code: int) -> str:
    """M49 code → Comtrade's name for it (the code itself when unknown)."""
    return _names().get(int(code), str(code))


def country_code(text: str | int) -> int:
    """``PRK`` or ``408`` → 408; raise ValueError naming the code when it is unknown."""
    value = str(text).strip()
    if value.isdigit():
        return int(value)
    try:
        return _codes()[value.upper()]
    except KeyError:
        raise ValueError(
            f"unknown country code {value!r} (use an ISO alpha-3 code or M49 number)"
        ) from None
