"""Stage 1 of reading a report: its sentences, and the clauses and parts of a sentence.

A sentence ends at a full stop, question or exclamation mark before a capital or digit — not
after an abbreviation ("U.S.", "Jan.") or inside a number; a clause ends at a semicolon, a colon,
"but" or "while"; a part of a sentence also ends at a comma, a dash or a bracket (where a
forecast's or a tariff's words stop reaching).
"""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

from ...schemas.countries import country_by_name, find_countries
from .claim_words import PART_BREAK

_ABBREVIATIONS = re.compile(
    r"\b(?:Mr|Mrs|Ms|Dr|St|No|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|U\.S|U\.N|"
    r"U\.K|Inc|Corp|Co|Ltd|vs|approx|est)\.$"
)


def split_sentences(text: str) -> list[str]:
    """Sentences of a text; abbreviations and decimal points do not end one."""
    sentences: list[str] = []
    # Paragraphs are separated by blank lines; a single line break is only wrapping.
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = " ".join(paragraph.split())
        start = 0
        # a full stop glued to the next sentence ("this year.The imports") ends one too
        for match in re.finditer(
            r"[.!?][\"”’)]?\s+(?=[\"“‘(]?[A-Z0-9])|(?<=[a-z]{2})\.(?=[A-Z][a-z])", paragraph
        ):
            candidate = paragraph[start : match.start() + 1]
            if _ABBREVIATIONS.search(candidate):
                continue
            sentences.append(paragraph[start : match.end()].strip())
            start = match.end()
        if paragraph[start:].strip():
            sentences.append(paragraph[start:].strip())
    return sentences


def clause_start(sentence: str, position: int) -> int:
    cut = max(sentence.rfind(mark, 0, position) for mark in (";", ":", " but ", " while "))
    return cut + 1 if cut >= 0 else 0


def clause_end(sentence: str, position: int) -> int:
    ends = [sentence.find(mark, position) for mark in (";", ":", " but ", " while ")]
    return min((end for end in ends if end >= 0), default=len(sentence))


def part_start(text: str, position: int) -> int:
    breaks = [m.end() for m in PART_BREAK.finditer(text, 0, position)]
    return breaks[-1] if breaks else 0


def headline_from_url(url: str | None) -> str | None:
    """The headline a news address spells in its slug, for a report whose title is not at hand.

    ``…/chinas-coal-imports-north-korea-ease-sanctions-095106630.html`` reads as "China's coal
    imports North Korea ease sanctions": the longest hyphenated part of the path, a country's
    possessive restored ("chinas", "japan-s"), capitals only on the first word and on names of
    countries and months (country names are matched capitalised), without the extension and the
    site's identifiers (a number of five or more digits, "idUSKBN1HU0BL"). An address without a
    slug of three words or more has no headline.
    """
    if not url:
        return None
    path = unquote(urlsplit(url).path)
    # a dot starts an extension or a site's id (".html", ".r1XjrUorDi") only when no hyphen
    # follows it: "shrink-3.4-trade-deficit" is one slug
    parts = [p for segment in path.split("/") for p in _SLUG_DOT.split(segment)]
    best: list[str] = []
    for part in parts:
        words = [w for w in re.split(r"[-_]+", part) if w and not _SLUG_ID.fullmatch(w)]
        if sum(w.isalpha() for w in words) >= 3 and len(words) > len(best):
            best = words
    if not best:
        return None
    words: list[str] = []
    for word in (w.lower() for w in best):
        if word == "s" and words:
            words[-1] += "'s"  # "japan-s-exports": the apostrophe a slug drops
        elif word.endswith("s") and words and country_by_name(f"{words[-1]} {word[:-1]}"):
            words[-1] += f" {word[:-1]}'s"  # "south-koreas"
        elif word.endswith("s") and len(word) > 3 and country_by_name(word[:-1]):
            words.append(f"{word[:-1]}'s")  # "chinas-coal-imports"
        else:
            words.append(word)
    tokens = " ".join(words).split(" ")
    capitals = " ".join(w.upper() if w in _SLUG_UPPER else w[:1].upper() + w[1:] for w in tokens)
    # capitals only where a headline has them: names of countries and months, and the first word,
    # so that "China's Primary Source" reads as a possessive, not as a name
    named = [(a, b) for a, b, _ in find_countries(capitals)]
    out, position = [], 0
    for word in capitals.split(" "):
        keep = not out or word.lower() in _MONTH_WORDS or word.lower() in _SLUG_UPPER
        keep = keep or any(a <= position < b for a, b in named)
        out.append(word if keep else word.lower())
        position += len(word) + 1
    return " ".join(out)


# identifiers sites append to a slug: long numbers, codes mixing letters and digits (not "8th")
_SLUG_ID = re.compile(r"\d{5,}|(?!\d+(?:st|nd|rd|th)$)(?=\w*\d)(?=\w*[A-Za-z])\w+")
_SLUG_DOT = re.compile(r"\.(?=[A-Za-z][^-]*$)")
_SLUG_UPPER = {"us", "uk", "eu", "uae", "lng", "gdp"}
_MONTH_WORDS = {
    *"january february march april may june july august september october".split(),
    *"november december jan feb mar apr jun jul aug sep sept oct nov dec".split(),
}
