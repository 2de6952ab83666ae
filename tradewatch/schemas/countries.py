"""One country table for every part of tradewatch: names, ISO codes and UN Comtrade's M49 codes.

Built from pycountry (ISO 3166: names, alpha-3, numeric codes) plus what this project writes:
the codes where UN Comtrade differs from ISO (it reports the USA as 842, India as 699, France
as 251...) and the aliases customs tables and news reports use ("D.P.R. Korea", "United States
(US)", "R. O. Korea", "Taiwan, China", "North Korean"). The GACC parser, the claim extractor,
the watchlist and the command line all look countries up here.
"""

from __future__ import annotations

import re
from functools import cache

import pycountry

WORLD = 0
# The European Union as one reporter or partner (UN Comtrade's 97): its 27 members since
# February 2020, for every period (Eurostat's EU27_2020). Only sources that sum or publish it
# accept it (Comext); it is in the table, not among the names news reports are read for.
EU = 97
EU_CODES = ("EU27_2020", "EU27", "EU")
EU27 = (
    "AUT BEL BGR HRV CYP CZE DNK EST FIN FRA DEU GRC HUN IRL ITA LVA LTU LUX MLT NLD POL PRT "
    "ROU SVK SVN ESP SWE"
).split()
# UN Comtrade's codes where they differ from ISO 3166-1 numeric (Comtrade's reference list).
COMTRADE_CODES = {
    "USA": 842,  # ISO 840: Comtrade's code includes Puerto Rico and the US Virgin Islands
    "IND": 699,  # ISO 356
    "FRA": 251,  # ISO 250: France with Monaco
    "CHE": 757,  # ISO 756: Switzerland with Liechtenstein
    "NOR": 579,  # ISO 578: Norway with Svalbard and Jan Mayen
    "TWN": 490,  # ISO 158: "Other Asia, nes" in Comtrade
}
# Names as customs tables and reports write them, besides ISO's names (alpha-3 code).
ALIASES = {
    "North Korea": "PRK", "D.P.R. Korea": "PRK", "D.P.R.Korea": "PRK", "DPR Korea": "PRK",
    "Korea, DPR": "PRK", "DPRK": "PRK", "Democratic People's Republic of Korea": "PRK",
    "Pyongyang": "PRK", "N. Korea": "PRK",
    "South Korea": "KOR", "R. O. Korea": "KOR", "R.O. Korea": "KOR", "Republic of Korea": "KOR",
    "Korea, Rep.": "KOR", "Korea": "KOR", "Korea, South": "KOR", "Korea, North": "PRK",
    "United States": "USA", "United States of America": "USA", "US": "USA", "U.S.": "USA",
    "U.S.A.": "USA", "America": "USA",
    "United Kingdom": "GBR", "UK": "GBR", "U.K.": "GBR", "Britain": "GBR",
    "Great Britain": "GBR",
    "Russia": "RUS", "Russian Federation": "RUS",
    "Vietnam": "VNM", "Viet Nam": "VNM",
    "Taiwan": "TWN", "Taiwan, China": "TWN", "Chinese Taipei": "TWN",
    "Hong Kong": "HKG", "Hong Kong, China": "HKG", "Macao": "MAC", "Macau": "MAC",
    "Macao, China": "MAC",
    "China": "CHN", "Mainland China": "CHN", "PRC": "CHN", "Beijing": "CHN",
    "Iran": "IRN", "Syria": "SYR", "Laos": "LAO", "Bolivia": "BOL", "Venezuela": "VEN",
    "Tanzania": "TZA", "Moldova": "MDA", "Czech Republic": "CZE", "Czechia": "CZE",
    "Turkey": "TUR", "Türkiye": "TUR", "Brunei": "BRN", "Ivory Coast": "CIV",
    "Democratic Republic of the Congo": "COD", "DR Congo": "COD", "Congo": "COG",
    "Myanmar": "MMR", "Burma": "MMR", "Cape Verde": "CPV", "Swaziland": "SWZ",
    "The Netherlands": "NLD", "Holland": "NLD", "UAE": "ARE",
}  # fmt: skip
# Adjectives reports use for a country's trade ("Australian coal", "North Korean goods").
DEMONYMS = {
    "North Korean": "PRK", "South Korean": "KOR", "Chinese": "CHN", "Australian": "AUS",
    "Indonesian": "IDN", "Mongolian": "MNG", "Russian": "RUS", "American": "USA",
    "Canadian": "CAN", "Brazilian": "BRA", "Indian": "IND", "Japanese": "JPN",
    "Malaysian": "MYS", "Philippine": "PHL", "Vietnamese": "VNM", "Colombian": "COL",
    "South African": "ZAF", "Peruvian": "PER", "Chilean": "CHL", "Ukrainian": "UKR",
    "Kazakh": "KAZ", "German": "DEU", "French": "FRA", "British": "GBR", "Iranian": "IRN",
    "Mauritanian": "MRT", "Mozambican": "MOZ", "Saudi": "SAU", "Iraqi": "IRQ",
    "Angolan": "AGO", "Nigerian": "NGA", "Omani": "OMN", "Qatari": "QAT", "Kuwaiti": "KWT",
    "Norwegian": "NOR", "Swiss": "CHE", "Mexican": "MEX", "Argentine": "ARG",
    "Argentinian": "ARG", "Thai": "THA", "Singaporean": "SGP", "Burmese": "MMR",
}  # fmt: skip
# Words in a customs table's country column that are not part of the name.
_NAME_NOISE = re.compile(r"^\s*(?:of\s+which\s*:\s*|including\s*:\s*)|\s*\([A-Z.]{2,5}\)\s*$", re.I)


def _key(name: str) -> str:
    return " ".join(_NAME_NOISE.sub("", name).lower().split())


def m49(alpha3: str) -> int:
    """UN Comtrade's code for an ISO alpha-3 code."""
    if alpha3 in COMTRADE_CODES:
        return COMTRADE_CODES[alpha3]
    return int(pycountry.countries.get(alpha_3=alpha3).numeric)


@cache
def _by_name() -> dict[str, int]:
    names: dict[str, int] = {"world": WORLD, "total": WORLD, "european union": EU}
    for country in pycountry.countries:
        code = m49(country.alpha_3)
        for name in (country.name, getattr(country, "official_name", None),
                     getattr(country, "common_name", None)):  # fmt: skip
            if name:
                names.setdefault(_key(name), code)
    for alias, alpha3 in ALIASES.items():
        names[_key(alias)] = m49(alpha3)
    return names


@cache
def _by_alpha3() -> dict[str, int]:
    codes = {"W00": WORLD, "WLD": WORLD, "WORLD": WORLD, **dict.fromkeys(EU_CODES, EU)}
    codes.update({c.alpha_3: m49(c.alpha_3) for c in pycountry.countries})
    return codes


@cache
def _names() -> dict[int, str]:
    names = {WORLD: "World", EU: "European Union (EU27_2020)"}
    for country in pycountry.countries:
        names.setdefault(m49(country.alpha_3), getattr(country, "common_name", country.name))
    for alpha3 in ("PRK", "KOR", "USA", "GBR", "RUS", "VNM", "TWN", "IRN", "SYR", "LAO"):
        names[m49(alpha3)] = next(a for a, c in ALIASES.items() if c == alpha3)
    return names


def country_table() -> list[tuple[int, str | None, str]]:
    """(M49 code, ISO alpha-3, usual English name) for every country: ``ref.countries``."""
    rows = {WORLD: (WORLD, None, "World"), EU: (EU, None, country_name(EU))}
    for country in pycountry.countries:
        code = m49(country.alpha_3)
        rows.setdefault(code, (code, country.alpha_3, country_name(code)))
    return sorted(rows.values())


def country_by_alpha2(code: str) -> int | None:
    """The M49 code of an ISO 3166 alpha-2 code (``US`` → 842), or None."""
    country = pycountry.countries.get(alpha_2=code) if len(code) == 2 else None
    return m49(country.alpha_3) if country else None


def country_by_name(name: str) -> int | None:
    """The M49 code of a country as a table or report names it, or None."""
    return _by_name().get(_key(name))


def country_name(code: int) -> str:
    """M49 code → the country's usual English name (the code itself when unknown)."""
    return _names().get(int(code), str(code))


@cache
def country_alpha3(code: int) -> str | None:
    """The ISO alpha-3 code of an M49 code (None for the world, the EU and unknown codes)."""
    return next((alpha3 for number, alpha3, _ in country_table() if number == code), None)


def country_code(text: str | int) -> int:
    """``PRK``, ``408`` or ``North Korea`` → 408; ValueError naming the text when unknown."""
    value = str(text).strip()
    if value.isascii() and value.isdigit():
        return int(value)
    code = _by_alpha3().get(value.upper())
    if code is None:
        code = country_by_name(value)
    if code is None:
        raise ValueError(
            f"unknown country {value!r} (use an ISO alpha-3 code, an M49 number or a name)"
        )
    return code


@cache
def _mention_pattern() -> tuple[re.Pattern, dict[str, int]]:
    words: dict[str, int] = {}
    for country in pycountry.countries:
        for name in (getattr(country, "common_name", None), country.name):
            if name and "," not in name:
                words.setdefault(name, m49(country.alpha_3))
    words.update({alias: m49(alpha3) for alias, alpha3 in ALIASES.items() if "," not in alias})
    words.update({adjective: m49(alpha3) for adjective, alpha3 in DEMONYMS.items()})
    ordered = sorted(words, key=len, reverse=True)
    # "US dollars", "U.S. dollars" are a currency, not the country
    pattern = re.compile(
        r"(?<![\w.])(?:" + "|".join(re.escape(w) for w in ordered) + r")(?!\w)"
        r"(?!\s*(?:\$|dollars?))"
    )
    return pattern, words


def find_countries(text: str) -> list[tuple[int, int, int]]:
    """Every country a text names: (start, end, M49 code), in order."""
    pattern, words = _mention_pattern()
    return [(m.start(), m.end(), words[m.group(0)]) for m in pattern.finditer(text)]
