"""Whose trade a figure is: reporter, partner and flow, on sentences written for these tests.

The sentences are this project's own, in the forms trade reports take; none is copied from a
report. The real reports are measured by ``benchmarks/claims.py`` on ../shared/corpora.
"""

from __future__ import annotations

import pytest

from tradewatch.pipelines.news.claims import extract_claims
from tradewatch.schemas import Month

SEP16 = Month(2016, 10)
CHINA, NORTH_KOREA, SOUTH_KOREA, JAPAN, USA, INDIA, WORLD = 156, 408, 410, 392, 842, 699, 0


def series(text: str, title: str | None = None) -> list[tuple]:
    return [
        (c.stated, c.reporter_code, c.partner_code, c.flow, c.balance)
        for c in extract_claims(text, SEP16, title=title)
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the country said to trade, and its flow
        ("Japan's exports rose 4.2 percent in September.", (JAPAN, WORLD, "X", None)),
        ("Japanese exports rose 4.2 percent in September.", (JAPAN, WORLD, "X", None)),
        ("India imported 54.1 tonnes of gold in September.", (INDIA, WORLD, "M", None)),
        # the authority that publishes: a Korean ministry's figure is Korea's
        (
            "Outbound shipments fell 2 percent in September, the Ministry of Trade, Industry and "
            "Energy said.",
            (SOUTH_KOREA, WORLD, "X", None),
        ),
        # flows as reporters say them
        ("Japan's overseas sales rose 3 percent in September.", (JAPAN, WORLD, "X", None)),
        ("China's purchases of US soybeans fell 5 percent in September.", (CHINA, USA, "M", None)),
        ("Japan's shipments to the U.S. fell 13.3 percent in September.", (JAPAN, USA, "X", None)),
        # a balance is a figure of its own, with its side
        ("The U.S. trade deficit with China was $31.1 billion in September.",
         (USA, CHINA, "B", "deficit")),
        ("Japan's trade surplus shrank to $0.5 billion in September.",
         (JAPAN, WORLD, "B", "surplus")),
        ("China's total trade with North Korea was $400 million in September.",
         (CHINA, NORTH_KOREA, "T", None)),
        ("China's imports and exports fell 2.2 percent in September.", (CHINA, WORLD, "T", None)),
        # a country without statistics is read through its partner
        ("North Korea's coal exports to China fell 27 percent in September.",
         (CHINA, NORTH_KOREA, "M", None)),
        ("North Korean imports from China rose 5 percent in September.",
         (CHINA, NORTH_KOREA, "X", None)),
        ("Coal shipments from North Korea to China fell 10 percent in September.",
         (CHINA, NORTH_KOREA, "M", None)),
    ],
)  # fmt: skip
def test_a_sentence_names_its_series(text, expected):
    ((_, *got),) = series(text)
    assert tuple(got) == expected


def test_nothing_in_the_text_says_whose_trade_it_is_so_the_claim_does_not_know():
    ((_, reporter, partner, flow, _),) = series("Imports rose 10 percent in September.")
    assert (reporter, flow) == (None, "M")  # never China's by default
    assert partner is None


def test_a_later_sentence_of_the_report_names_the_country_for_the_earlier_ones():
    got = series(
        "Imports rose 10 percent in September. China's imports from Australia fell 3 percent "
        "in September."
    )
    assert [g[1] for g in got] == [CHINA, CHINA]


def test_the_nation_and_its_are_the_country_the_report_is_about():
    got = series(
        "Taiwan's exports rose 5 percent in August. The nation's exports fell 4.5 percent in "
        "September, while imports rose 2 percent."
    )
    assert [(g[1], g[3]) for g in got] == [(490, "X"), (490, "X"), (490, "M")]


def test_goods_from_a_country_in_a_report_of_another_are_its_partner():
    got = series(
        "China's coal imports rose in September, customs data showed. Australian coal imports "
        "fell 4.5 percent in September."
    )
    assert got[-1][1:4] == (CHINA, 36, "M")


def test_the_flow_said_right_after_a_figure_is_its_own():
    got = series("China reported a 10.8 percent rise in exports and a 18.7 percent jump in imports "
                 "in September.")  # fmt: skip
    assert [g[3] for g in got] == ["X", "M"]


def claims_at(text: str, url: str, title: str | None = None) -> list[tuple]:
    return [
        (c.stated, c.reporter_code, c.partner_code, c.flow)
        for c in extract_claims(text, SEP16, title=title, url=url)
    ]


def test_an_address_slug_says_whose_trade_a_report_without_a_title_is_about():
    text = "Imports from Australia fell 13 percent in September."
    assert claims_at(text, "https://news.example.com/2016/10/")[0][1] is None
    got = claims_at(text, "https://news.example.com/japans-coal-imports-slip-in-september-1234567")
    assert got[0][1:4] == (JAPAN, 36, "M")
    # a title at hand is read first
    titled = claims_at(
        text, "https://x.example.com/japans-coal-imports-slip", "India's coal buying"
    )
    assert titled[0][1] == INDIA


def test_a_slug_is_not_a_scene_its_months_and_countries_do_not_become_the_figures():
    got = claims_at(
        "China's exports to the U.S. in September dropped 17.8 percent.",
        "https://news.example.com/chinas-exports-suffer-biggest-drop-february-us-trade-war",
    )
    assert got[0][1:4] == (CHINA, USA, "X")


def test_the_nation_in_a_report_naming_no_country_is_the_outlets_own():
    text = "The nation's exports fell 4.5 percent in September, the finance ministry said."
    assert claims_at(text, "https://www.example.com/News/biz/2016/10/08/2003")[0][1] is None
    assert claims_at(text, "https://www.taipeitimes.com/News/biz/2016/10/08/2003")[0][1] == 490
    assert claims_at(text, "https://www.example.co.jp/a/b")[0][1] == JAPAN
    # an unqualified figure is not the outlet's: a wire story about China runs in Korea too
    assert (
        claims_at("Imports fell 7.6 percent in September.", "https://koreaherald.com/v")[0][1]
        is None
    )
    # a country the report names is "the nation" before the outlet's
    named = claims_at("India's imports rose. " + text, "https://www.taipeitimes.com/a/b")
    assert named[-1][1] == INDIA


def test_the_other_side_of_the_trade_is_never_its_reporter():
    # in a report about China, "the deficit with China" is someone else's, not said whose
    got = claims_at(
        "China's exports rose 3 percent in August. The trade deficit in goods with China fell "
        "to $29.7 billion in September.",
        "https://news.example.com/a/b",
    )
    assert got[-1][1:3] == (None, CHINA)
    # "from China's customs" names the reporter, not a partner
    said = claims_at(
        "Coal arrivals fell 84 percent in September, according to figures from China's General "
        "Administration of Customs.",
        "https://news.example.com/a/b",
    )
    assert said[0][1:3] == (CHINA, WORLD)


def test_each_country_of_a_list_after_to_is_a_partner_none_the_reporter():
    got = series("Shipments to China, the United States and Japan fell 6.8% in September.")
    assert got[0][1] is None and got[0][2] in (CHINA, USA, JAPAN)  # not the US' exports
    got = series(
        "South Korea's exports rose in August. Exports to India, the U.S. and Japan fell 5% in "
        "September."
    )
    assert got[-1][1] == SOUTH_KOREA and got[-1][2] in (INDIA, USA, JAPAN)


def test_a_report_calling_its_country_the_nation_is_the_outlets_for_every_figure():
    text = (
        "Exports rose 11.8 percent in September, the finance ministry said. The nation's "
        "exports for the year to September fell 9.8 percent."
    )
    got = claims_at(text, "https://www.taipeitimes.com/News/biz/2016/10/08/2003")
    assert {g[1] for g in got} == {490}
    alone = claims_at(text.split(". The")[0] + ".", "https://www.taipeitimes.com/News/biz/1")
    assert alone[0][1] is None  # an unqualified figure alone is nobody's in particular


def test_a_partner_goes_on_with_its_flow_not_to_another():
    got = series(
        "Japan's exports to the U.S. rose 13 percent in September. Imports fell 16.3 percent in "
        "September. Exports of cars fell 2 percent in September."
    )
    assert [(g[3], g[2]) for g in got] == [("X", USA), ("M", WORLD), ("X", WORLD)]
    same = series(
        "China's coal imports from North Korea fell 12 percent in September. Iron ore imports "
        "fell 20 percent in September."
    )
    assert [g[2] for g in same] == [NORTH_KOREA, NORTH_KOREA]


def test_a_partner_after_another_flow_word_is_the_later_figures():
    got = series(
        "China's exports rose 4.8% in September, lower than expected as shipments to the United "
        "States fell nearly 10%."
    )
    assert [g[1:4] for g in got] == [(CHINA, WORLD, "X"), (CHINA, USA, "X")]
    kept = series("China imported 1.5 million tonnes of coal in September, all from North Korea.")
    assert kept[0][2] == NORTH_KOREA  # no other flow between: the figure's own partner


def test_a_flow_word_in_an_aside_between_dashes_is_not_the_figures():
    got = series(
        "The U.S. deficit in goods and services — the gap between what the U.S. sells and what "
        "it buys abroad — rose 7.3 percent to $46.3 billion in September."
    )
    assert {g[3] for g in got} == {"B"}
    dateline = series(
        "Beijing (AFP) - China's coal imports rose 40 percent in September, data shows -- the "
        "month the trade was to stop."
    )
    assert dateline[0][3] == "M"  # a dateline's hyphen opens no aside
