"""How well the claim extractor reads real trade reports: recall and precision on a labelled corpus.

    python -m benchmarks.claims [--corpus FILE ...] [--misses] [--json]

Without ``--corpus`` both development files of ``../shared/corpora/`` are scored, each on its own.

The corpus (not in this repository: it quotes other people's articles) holds real sentences, one
JSON object a line, with the figures a careful reader takes from each; its README gives the rule
followed here. Each article's sentences, joined as paragraphs, go through ``extract_claims`` with
the publication month. An expected figure in tonnes, USD or percent is *found* when a claim from
its sentence has the same kind and amount (tonnes within 0.5%, a percent by its absolute value),
and *found with its month* when that claim's first and last month equal the expected ones. Each
claim matches one figure at most. Precision is the share of claims that match an expected figure
(one a reader may or may not take, `optional`, or one in a unit not scored, counts as matched); a
claim from a distractor sentence (a forecast, a tariff, GDP) counts against it. *Series right* is
the share of the figures found with their months whose claim names the corpus's reporter (the
country whose customs or ministry publishes it) and flow as that reporter sees it (import, export,
total, balance); a figure whose reporter is no country ("UN member states") is not counted.
*Wrong* is the share whose claim names another series (a claim whose reporter the text never
says is unknown, not wrong: it is left unchecked rather than checked against the wrong figures).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from tradewatch.pipelines.news import Claim, extract_claims
from tradewatch.schemas import Month, country_by_name

CORPORA = Path(__file__).resolve().parents[1].parent / "shared/corpora"
DEFAULT_CORPORA = (CORPORA / "claims-dev.jsonl", CORPORA / "claims-dev-other.jsonl")
SCORED_UNITS = {"t": 1000.0, "USD": 1.0, "%": 1.0}  # warehouse units per unit written
KINDS = ("quantity", "value", "percent")
FLOWS = {"import": "M", "export": "X", "total": "T", "balance": "B"}


@dataclass
class Sentence:
    id: str
    text: str
    expected: list[dict]
    optional: list[dict]
    claims: list[Claim] = field(default_factory=list)


def read_corpus(path: Path) -> dict[str, tuple[Month | dt.date, list[Sentence]]]:
    """Articles in corpus order: their publication month and their sentences."""
    articles: dict[str, tuple[Month, list[Sentence]]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        row = json.loads(line)
        stated = row.get("published") or row["published_inferred"]
        # a full date when the corpus gives one (the publication day matters to a report that
        # names no month); "2017-03" or a range of dates: the first month written
        published = dt.date.fromisoformat(stated) if len(stated) == 10 else Month.parse(stated[:7])
        sentence = Sentence(row["id"], row["sentence"], row["expected"], row.get("optional") or [])
        articles.setdefault(row["article_id"], (published, row["source_url"], []))[2].append(
            sentence
        )
    return articles


def attach(sentences: list[Sentence], claims: list[Claim]) -> list[Claim]:
    """Give each claim to the corpus sentence it came from; the claims no sentence holds."""
    stray = []
    for claim in claims:
        words = " ".join(claim.sentence.split())
        home = next((s for s in sentences if words in " ".join(s.text.split())), None)
        (home.claims if home else stray).append(claim)
    return stray


def same_amount(claim: Claim, figure: dict) -> bool:
    """The claim states the figure's amount: tonnes within 0.5%, a percent by its size."""
    if (
        claim.kind != figure["kind"]
        or figure["unit"] not in SCORED_UNITS
        and figure["unit"] != claim_unit(claim)
    ):
        return False
    wanted = float(figure["amount"]) * SCORED_UNITS.get(figure["unit"], 1.0)
    stated = [claim.amount] if claim.amount is not None else [claim.low, claim.high]
    for amount in filter(lambda a: a is not None, stated):
        amount = abs(amount) if claim.kind == "percent" else amount
        if claim.kind == "quantity":
            if abs(amount - wanted) <= 0.005 * abs(wanted) + 1e-9:
                return True
        elif abs(amount - wanted) <= 1e-6 * max(1.0, abs(wanted)):
            return True
    return False


def claim_unit(claim: Claim) -> str:
    """The unit a claim's amount is in, as the corpus writes units (t for kg)."""
    return "t" if claim.unit == "kg" else claim.unit or ""


def same_months(claim: Claim, figure: dict) -> bool:
    return (
        claim.period is not None
        and str(claim.period) == figure["period_start"]
        and str(claim.period_end) == figure["period_end"]
    )


def score(articles: dict[str, tuple[Month, list[Sentence]]]) -> dict:
    """Run the extractor over every article and count what it found and what it made up."""
    counts = {kind: defaultdict(int) for kind in KINDS}
    misses, extras, wrong_series, stray_total = [], [], [], 0
    for published, url, sentences in articles.values():
        text = "\n\n".join(s.text for s in sentences)
        for claim in attach(sentences, extract_claims(text, published, url=url)):
            stray_total += 1  # a claim from no corpus sentence: counted as made up
            counts[claim.kind]["claims"] += 1
            counts[claim.kind]["wrong"] += 1
        for sentence in sentences:
            unused = list(sentence.claims)
            for figure in sentence.expected:
                if figure["unit"] not in SCORED_UNITS:
                    continue
                kind = figure["kind"]
                counts[kind]["expected"] += 1
                matches = [c for c in unused if same_amount(c, figure)]
                best = next((c for c in matches if same_months(c, figure)), None)
                chosen = best or (matches[0] if matches else None)
                if chosen is None:
                    misses.append((sentence, figure, None))
                    continue
                unused.remove(chosen)
                counts[kind]["found"] += 1
                if best is not None:
                    counts[kind]["found_with_month"] += 1
                    series = same_series(best, figure)
                    if series is not None:
                        counts[kind]["series_counted"] += 1
                        counts[kind]["series_right"] += series
                        # a claim naming another series is checked against the wrong figures;
                        # one that says it does not know is only unchecked
                        counts[kind]["series_unknown"] += not series and best.reporter_code is None
                        if not series:
                            wrong_series.append((sentence, figure, best))
                else:
                    misses.append((sentence, figure, chosen))
            for claim in unused:
                others = sentence.optional + [
                    f for f in sentence.expected if f["unit"] not in SCORED_UNITS
                ]
                counts[claim.kind]["claims"] += 1
                if any(same_amount(claim, f) for f in others):
                    continue
                counts[claim.kind]["wrong"] += 1
                extras.append((sentence, claim))
            for claim in sentence.claims:
                if claim not in unused:
                    counts[claim.kind]["claims"] += 1
    return {
        "counts": counts,
        "misses": misses,
        "extras": extras,
        "wrong_series": wrong_series,
        "stray": stray_total,
    }


def same_series(claim: Claim, figure: dict) -> bool | None:
    """The claim names the figure's reporter and flow; None when the reporter is no country."""
    name = (figure.get("reporter") or "").split(" (")[0]
    reporter = country_by_name(name) if name else None
    if reporter is None:
        return None
    return claim.reporter_code == reporter and claim.flow == FLOWS.get(figure.get("flow"))


def figures(result: dict) -> dict[str, dict[str, float]]:
    """Recall of amounts, of amounts with their months, and precision, per kind and overall."""
    table = {}
    for kind in (*KINDS, "all"):
        rows = [result["counts"][k] for k in (KINDS if kind == "all" else (kind,))]
        total = {key: sum(r[key] for r in rows) for key in
                 ("expected", "found", "found_with_month", "claims", "wrong", "series_counted",
                  "series_right", "series_unknown")}  # fmt: skip
        table[kind] = {
            "expected": total["expected"],
            "claims": total["claims"],
            "amount_recall": round(total["found"] / total["expected"], 3)
            if total["expected"]
            else 1.0,
            "amount_and_month_recall": round(total["found_with_month"] / total["expected"], 3)
            if total["expected"]
            else 1.0,
            "series_right": round(total["series_right"] / total["series_counted"], 3)
            if total["series_counted"]
            else 1.0,
            "series_wrong": round(
                (total["series_counted"] - total["series_right"] - total["series_unknown"])
                / total["series_counted"],
                3,
            )
            if total["series_counted"]
            else 0.0,
            "precision": round(1 - total["wrong"] / total["claims"], 3) if total["claims"] else 1.0,
        }
    return table


def describe(claim: Claim | None) -> str:
    if claim is None:
        return "nothing"
    amount = claim.amount if claim.amount is not None else f"{claim.low}..{claim.high}"
    series = f"reporter {claim.reporter_code} partner {claim.partner_code} flow {claim.flow}"
    return f"{claim.kind} {amount} {claim.period}..{claim.period_end} {series} ({claim.stated!r})"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, action="append", help="a corpus file (repeatable)")
    parser.add_argument("--misses", action="store_true", help="list every miss and extra claim")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)
    corpora = args.corpus or list(DEFAULT_CORPORA)
    absent = [path for path in corpora if not path.exists()]
    if absent:
        print(f"no corpus at {absent[0]}: it lives in ../shared/corpora/", file=sys.stderr)
        return 2
    tables = {}
    for path in corpora:
        result = score(read_corpus(path))
        tables[path.name] = table = figures(result)
        if args.json:
            continue
        print(f"\n{path.name}")
        print(f"{'kind':<10}{'expected':>9}{'claims':>8}{'amount':>9}{'+month':>9}{'series':>9}"
              f"{'wrong':>8}{'precision':>11}")  # fmt: skip
        for kind, row in table.items():
            print(
                f"{kind:<10}{row['expected']:>9}{row['claims']:>8}{row['amount_recall']:>9.3f}"
                f"{row['amount_and_month_recall']:>9.3f}{row['series_right']:>9.3f}"
                f"{row['series_wrong']:>8.3f}{row['precision']:>11.3f}"
            )
        if args.misses:
            print_misses(result)
    if args.json:
        print(json.dumps(tables, indent=2))
    return 0


def print_misses(result: dict) -> None:
    for sentence, figure, claim in result["misses"]:
        print(f"\nMISS {sentence.id}: {figure['kind']} {figure['amount']} {figure['unit']} "
              f"{figure['period_start']}..{figure['period_end']} — got {describe(claim)}\n"
              f"  {sentence.text}")  # fmt: skip
    for sentence, figure, claim in result["wrong_series"]:
        print(f"\nSERIES {sentence.id}: {figure['reporter']} {figure['flow']} "
              f"(partner {figure['partner']}) — got {describe(claim)}\n"
              f"  {sentence.text}")  # fmt: skip
    for sentence, claim in result["extras"]:
        print(f"\nEXTRA {sentence.id}: {describe(claim)}\n  {sentence.text}")


if __name__ == "__main__":
    sys.exit(main())
