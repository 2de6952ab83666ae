"""'…, respectively': a list shared out among the figures in order, on sentences written here."""

from __future__ import annotations

from tradewatch.pipelines.news.claims import extract_claims
from tradewatch.schemas import Month

CHINA, JAPAN, USA, INDONESIA, MONGOLIA, WORLD = 156, 392, 842, 360, 496, 0


def read(text: str) -> list[tuple]:
    return [
        (c.stated, c.partner_code, c.flow, c.commodity)
        for c in extract_claims(text, Month(2020, 6))
    ]


def test_partners_of_a_list_go_to_the_figures_in_order_percents_and_amounts_alike():
    got = read(
        "China's coal imports from Indonesia and Mongolia rose 3 percent and 4 percent, "
        "respectively, to 5.1 million tons and 2.2 million tons in May."
    )
    assert [g[1] for g in got] == [INDONESIA, MONGOLIA, INDONESIA, MONGOLIA]
    assert {g[2] for g in got} == {"M"}


def test_two_flows_of_a_list_are_each_ones_not_both_ways_trade():
    got = read(
        "Japan's exports and imports fell 6.4 percent and 3.2 percent, respectively, in May."
    )
    assert [(g[0], g[2]) for g in got] == [("6.4 percent", "X"), ("3.2 percent", "M")]
    got = read("Japan's imports and exports fell 1 percent and 2 percent, respectively, in May.")
    assert [g[2] for g in got] == ["M", "X"]


def test_commodities_of_a_list_are_each_figures_own():
    got = read(
        "China's imports of iron ore and soybeans rose 1.6 percent and 2 percent to 80 million "
        "tons and 7 million tons, respectively, in May."
    )
    assert [g[3] for g in got] == ["iron ore", "soybeans", "iron ore", "soybeans"]


def test_without_respectively_or_with_a_list_of_another_length_nothing_is_shared():
    got = read("China's coal imports from Indonesia and Mongolia rose 3 percent in May.")
    assert [g[2] for g in got] == ["M"]
    three = "China's exports and imports fell 6.4 percent, 3.2 percent and 1 percent, "
    assert read(three + "respectively, in May.")[0][2] == "T"  # three figures, two flows
    assert read("China's exports and imports fell 6.4 percent in May.")[0][2] == "T"
