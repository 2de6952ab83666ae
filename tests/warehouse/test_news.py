"""Article versions and the claim_checks view, on figures written straight into the tables."""

from __future__ import annotations

import datetime as dt
from contextlib import closing

import pytest

from tests.warehouse.test_reversals import put
from tradewatch.pipelines.news import Article
from tradewatch.sources.news import article_frames
from tradewatch.warehouse import connect
from tradewatch.warehouse.news import check_against, load_article

PUBLISHED = dt.datetime(2016, 10, 24, 9, tzinfo=dt.UTC)
FILLER = " Beijing says it enforces the United Nations sanctions fully and without exception." * 3
# China's coal imports from North Korea, 2016-05 .. 2016-10, in tonnes.
COAL = [1_550_000, 1_800_000, 2_100_000, 2_465_000, 1_798_000, 1_820_000]


@pytest.fixture
def con(warehouse_path):
    with closing(connect(warehouse_path)) as connection:
        put(connection, COAL, start=(2016, 5))
        yield connection


def article(
    text: str, url: str = "https://news.example.org/coal", title: str | None = None
) -> Article:
    return Article(
        url=url,
        canonical_url=url,
        title=title or "China's coal imports from North Korea",
        outlet="Example News",
        author=None,
        published_at=PUBLISHED,
        published_from="json-ld",
        text=text + FILLER,
    )


def load(con, text: str, url: str = "https://news.example.org/coal", title: str | None = None):
    frame, claims, refused = article_frames(article(text, url, title))
    assert refused == []
    return load_article(con, frame, claims, exchange_id=None, run_id="test")


def verdicts(con) -> list[tuple]:
    return con.execute(
        "select stated, verdict, customs_figure from claim_checks order by article_id, claim_no"
    ).fetchall()


def test_the_issue_example_agrees(con):
    load(con, "China only imported 1.8 million tons of coal from North Korea last month.")
    assert verdicts(con) == [("1.8 million tons", "agrees", 1_798_000_000)]


@pytest.mark.parametrize(
    ("sentence", "verdict"),
    [
        ("China imported 1.9 million tonnes of coal from North Korea in September.", "disagrees"),
        ("China imported 1.798 million tonnes of coal from North Korea in September.", "agrees"),
        ("China imported 1.80 million tonnes of coal from North Korea in September.", "agrees"),
        ("China imported 1.797 million tonnes of coal from North Korea in September.", "disagrees"),
        # below the claim by more than its rounding (0.0005 Mt): the lower edge of the tolerance
        ("China imported 1.799 million tonnes of coal from North Korea in September.", "disagrees"),
        (
            "China imported more than 1.7 million tonnes of North Korean coal in September.",
            "agrees",
        ),
        (
            "China imported less than 1.7 million tonnes of North Korean coal in September.",
            "disagrees",
        ),
        ("China imported about 1.76 million tonnes of North Korean coal in September.", "agrees"),
        ("Coal imports from North Korea dropped 27% in September.", "agrees"),
        # the report does not say against what: a reading that fails is unclear, not false
        ("Coal imports from North Korea dropped 35% in September.", "unclear"),
        ("Coal imports from North Korea rose 27% in September.", "unclear"),
        ("Coal imports from North Korea dropped 35% in September from August.", "disagrees"),
        ("Coal imports from North Korea rose 27% in September on the month.", "disagrees"),
        ("Coal imports from North Korea rose 16 percent in August from July.", "disagrees"),
        ("Coal imports from North Korea rose 17 percent in August from July.", "agrees"),
        (
            "North Korea shipped 7.9 million tonnes of coal to China between May and August.",
            "agrees",
        ),
        (
            "China bought between 1.5 and 2.5 million tonnes of North Korean coal a month "
            "between May and September.",
            "agrees",
        ),
        ("China imported 2.2 million tonnes of coal from North Korea in March.", "no data"),
        ("China imported 9 million tonnes of coal from Australia in September.", "no data"),
    ],
)
def test_claim_verdicts(con, sentence, verdict):
    load(con, sentence)
    ((_, got, _),) = verdicts(con)
    assert got == verdict


def test_a_span_with_a_month_missing_shows_no_partial_sum_as_the_customs_figure(con):
    """April is not loaded (the fixture starts in May): the verdict is no data, and the figure
    beside it is none — not May to August summed as if it were April to August."""
    load(con, "North Korea shipped 9.7 million tonnes of coal to China between April and August.")
    ((_, verdict, figure),) = verdicts(con)
    assert (verdict, figure) == ("no data", None)


def test_no_data_says_why(con):
    load(con, "China imported 2.2 million tonnes of coal from North Korea in March.")
    (reason,) = con.execute("select no_data_reason from claim_checks").fetchall()[0]
    assert reason == "customs data missing for 1 of 1 months"


def test_china_customs_is_preferred_over_comtrade(con):
    con.execute(
        "insert into trade_vintages values ('gacc', 156, 408, '2701', 'M', '2016-09-01', 1,"
        " 1850000000, null, null, null, now(), 'e', 's', 0, 'r', null, null)"
    )
    load(con, "China only imported 1.8 million tons of coal from North Korea last month.")
    row = con.execute("select customs_figure, customs_source from claim_checks").fetchall()
    assert row == [(1_850_000_000, "gacc")]


def test_the_same_text_twice_is_one_version_and_a_change_is_the_next(con):
    first = load(con, "China only imported 1.8 million tons of coal from North Korea last month.")
    again = load(con, "China only imported 1.8 million tons of coal from North Korea last month.")
    assert (first.version, first.new_version) == (1, True)
    assert (again.version, again.new_version) == (1, False)
    changed = load(con, "China only imported 1.9 million tons of coal from North Korea last month.")
    assert (changed.version, changed.new_version) == (2, True)
    # Both versions are kept; the articles view and the checks show the latest.
    assert con.execute("select count(*) from news_article_versions").fetchall() == [(2,)]
    assert con.execute("select version, versions from news_articles").fetchall() == [(2, 2)]
    assert verdicts(con) == [("1.9 million tons", "disagrees", 1_798_000_000)]


def test_a_load_that_fails_leaves_nothing(con):
    frame, claims, _ = article_frames(
        article("China only imported 1.8 million tons of coal from North Korea last month.")
    )
    broken = claims.assign(kind=None)  # violates not null: the insert fails mid-transaction
    with pytest.raises(Exception, match="(?i)null"):
        load_article(con, frame, broken, exchange_id=None, run_id="test")
    assert con.execute("select count(*) from news_article_versions").fetchall() == [(0,)]


def test_checking_an_article_outside_the_warehouse_writes_nothing(warehouse_path, con):
    con.close()
    frame, claims, _ = article_frames(
        article("China only imported 1.8 million tons of coal from North Korea last month.")
    )
    (check,) = check_against(warehouse_path, frame, claims)
    assert (check["verdict"], check["customs_figure"]) == ("agrees", 1_798_000_000)
    with closing(connect(warehouse_path, read_only=True)) as reader:
        assert reader.execute("select count(*) from news_claims").fetchall() == [(0,)]


def test_a_2016_report_whose_figures_are_true_agrees_on_every_one(warehouse_path):
    """Each figure checked on its own basis: end points, a pair of months, a named month."""
    with closing(connect(warehouse_path)) as con:
        put(con, [2_345_000, 1_527_000, *COAL], start=(2016, 3))
        rows = checked(
            con,
            "China's coal imports from North Korea dropped from 2.345 million tons to 1.527 "
            "million tons between March and April. Between May and August, imports steadily "
            "increased to 2.465 million tons. August imports were 61 percent higher than they "
            "were in April. In September they fell 27 percent to 1.798 million tons, customs "
            "data showed.",
        )
    assert [(r[0], str(r[1])[:7], r[2], str(r[3])[:7], r[4]) for r in rows] == [
        ("2.345 million tons", "2016-03", "month", "None", "agrees"),
        ("1.527 million tons", "2016-04", "month", "None", "agrees"),
        ("2.465 million tons", "2016-08", "month", "None", "agrees"),
        ("61 percent", "2016-08", "named month", "2016-04", "agrees"),
        ("27 percent", "2016-09", "unstated", "2016-08", "agrees"),
        ("1.798 million tons", "2016-09", "month", "None", "agrees"),
    ]


def checked(con, text: str) -> list[tuple]:
    load(con, text)
    return con.execute(
        "select stated, period, basis, basis_period, verdict from claim_checks order by claim_no"
    ).fetchall()


@pytest.mark.parametrize(
    ("sentence", "verdict", "why"),
    [
        # the series has weights only: no value to set a value beside
        ("Its imports were worth 2.5 billion yuan in September.", "no data", "missing"),
        (
            "China's trade with North Korea was $500 million in September.",
            "no data",
            "exports)",
        ),
        ("Coal imports from North Korea rose 12 percent in September.", "unclear", "against"),
    ],
)
def test_claims_that_cannot_be_held_against_customs_say_why(con, sentence, verdict, why):
    load(con, sentence)
    ((got, reason),) = con.execute(
        "select verdict, coalesce(unclear_reason, no_data_reason) from claim_checks"
    ).fetchall()
    assert got == verdict and why in reason


def test_an_amount_of_change_is_checked_as_the_difference(con):
    """2016-09 1,798,000 t against 2016-08 2,465,000 t: down 667,000 t on the month."""
    ((got,),) = [
        (r[4],)
        for r in checked(
            con,
            "Coal imports from North Korea were 1.798 million tonnes in September, down "
            "month-on-month by 667,000 tonnes.",
        )
        if r[0] == "667,000 tonnes"
    ]
    assert got == "agrees"
    rows = checked(
        con,
        "Coal imports from North Korea were 1.798 million tonnes in September, up "
        "month-on-month by 667,000 tonnes.",
    )
    assert [r[4] for r in rows if r[0] == "667,000 tonnes"] == ["disagrees"]


def put_row(con, reporter, partner, hs, flow, month, *, kg=None, usd=None, source="comtrade"):
    """One month of any series (tonnes as kg, dollars), written straight into the vintages."""
    con.execute(
        "insert into trade_vintages values (?, ?, ?, ?, ?, ?, 1, ?, null, null, ?, now(), 'e',"
        " 's', 0, 'r', null, null)",
        [source, reporter, partner, hs, flow, dt.date(*month, 1), kg, usd],
    )


def claim_rows(con) -> list[tuple]:
    return con.execute(
        "select stated, verdict, coalesce(unclear_reason, no_data_reason), checked_against"
        " from claim_checks order by claim_no"
    ).fetchall()


def test_trade_both_ways_and_a_balance_are_checked_against_exports_and_imports(con):
    """China-North Korea, September 2016 (test figures): exports $250m, imports $180m."""
    put_row(con, 156, 408, "TOTAL", "X", (2016, 9), usd=250e6)
    put_row(con, 156, 408, "TOTAL", "M", (2016, 9), usd=180e6)
    load(
        con,
        "China's trade with North Korea was $430 million in September. China ran a trade "
        "surplus of $70 million with North Korea in September.",
        title="China's trade with North Korea",
    )
    rows = claim_rows(con)
    assert [r[:2] for r in rows] == [("$430 million", "agrees"), ("$70 million", "agrees")]
    assert rows[1][3] == "comtrade: China balance with North Korea, HS TOTAL, 2016-09"
    load(
        con,
        "China ran a trade deficit of $70 million with North Korea in September.",
        url="https://news.example.org/deficit",
        title="China's trade with North Korea",
    )
    deficit = con.execute(
        "select verdict, balance from claim_checks where canonical_url like '%deficit'"
    ).fetchall()
    assert deficit == [("disagrees", "deficit")]  # China's balance with the North is a surplus


def test_a_year_to_date_figure_is_checked_against_the_sum_of_its_months(con):
    for month, tonnes in enumerate([1.0e6, 1.2e6, 2.345e6, 1.527e6], start=1):
        put_row(con, 156, 408, "2701", "M", (2016, month), kg=tonnes * 1000)
    # 1.0 + 1.2 + 2.345 + 1.527 = 6.072 million tonnes, January to April (COAL has May on)
    load(con, "China imported 6.07 million tonnes of coal from North Korea in the first four "
              "months of 2016.")  # fmt: skip
    ((stated, verdict, why, against),) = claim_rows(con)
    assert (verdict, why) == ("agrees", None)
    assert against.endswith("2016-01..2016-04")


KOREA = (
    "South Korea's exports fell 14.9 percent from a year earlier to $41.0 billion in September, "
    "the Ministry of Trade, Industry and Energy said. Outbound shipments came to $370 billion in "
    "the first nine months of the year. Economists polled by Yonhap had expected exports to "
    "fall 10 percent."
)  # written for this test: a Korean ministry report in the form such reports take


def test_a_korean_ministry_report_is_not_covered_until_korea_is_loaded(con):
    load(con, KOREA, url="https://news.example.org/korea", title="Korea's exports fall")
    rows = claim_rows(con)
    # the forecast is no claim; the others are South Korea's exports to the world
    assert [r[0] for r in rows] == ["14.9 percent", "$41.0 billion", "$370 billion"]
    assert {r[1] for r in rows} == {"no data"}
    assert all(r[2].startswith("not covered — reporter South Korea") for r in rows)
    assert 'reporter = "KOR"' in rows[0][2]


def test_a_korean_ministry_report_is_checked_against_korea_as_reporter(con):
    monthly = [41.1e9] * 8 + [41.0e9]  # 2016-01 .. 2016-09: $369.8 billion in nine months
    for month, usd in enumerate(monthly, start=1):
        put_row(con, 410, 0, "TOTAL", "X", (2016, month), usd=usd)
    put_row(con, 410, 0, "TOTAL", "X", (2015, 9), usd=48.2e9)  # 41.0 / 48.2 - 1 = -14.9%
    load(con, KOREA, url="https://news.example.org/korea", title="Korea's exports fall")
    rows = claim_rows(con)
    assert [r[1] for r in rows] == ["agrees", "agrees", "agrees"]
    assert rows[1][3] == "comtrade: South Korea exports to World, HS TOTAL, 2016-09"
    assert rows[2][3] == "comtrade: South Korea exports to World, HS TOTAL, 2016-01..2016-09"


def test_a_value_in_yen_is_checked_at_the_months_rate(con):
    put_row(con, 392, 0, "TOTAL", "X", (2016, 9), usd=59.6e9)
    load(con, "Japan's exports were worth 6.07 trillion yen in September.",
         url="https://news.example.org/japan", title="Japan's exports")  # fmt: skip
    ((stated, verdict, why, against),) = claim_rows(con)
    assert (verdict, why) == (
        "no data",
        "stated in JPY; no JPY rate loaded for those months (the ECB source loads them)",
    )
    # the ECB's September 2016 averages (units per euro): USD 1.1212, JPY 114.2 (test rates)
    for currency, per_eur in (("USD", 1.1212), ("JPY", 114.2)):
        con.execute(
            "insert into ref.fx_rates values ('2016-09-01', ?, ?, 'ecb', 'e', now())",
            [currency, per_eur],
        )
    # 59.6e9 / 1.1212 * 114.2 = 6.0706e12 yen
    ((stated, verdict, why, against),) = claim_rows(con)
    assert (stated, verdict) == ("6.07 trillion yen", "agrees")
