"""Stage 1 of reading a report: its sentences, and the clauses and parts of a sentence.

A sentence ends at a full stop, question or exclamation mark before a capital or digit — not
after an abbreviation ("U.S.", "Jan.") or inside a number; a clause ends at a semicolon, a colon,
"but" or "while"; a part of a sentence also ends at a comma, a dash or a bracket (where a
forecast's or a tariff's words stop reaching).
"""

from __future__ import annotations

import re

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
