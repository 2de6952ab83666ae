"""News articles and the claims they state: the contract before ``news_*`` tables."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors
from pandera.typing import Series

ARTICLE_COLUMNS = [
    "canonical_url",
    "url",
    "title",
    "outlet",
    "author",
    "published_at",
    "published_from",
    "language",
    "text",
    "text_sha256",
]
CLAIM_COLUMNS = [
    "claim_no",
    "kind",
    "measure",
    "sentence_no",
    "sentence",
    "stated",
    "commodity",
    "hs_code",
    "reporter_code",
    "partner_code",
    "flow",
    "period",
    "period_end",
    "per_month",
    "direction",
    "qualifier",
    "amount",
    "low",
    "high",
    "tolerance",
    "basis",
    "basis_period",
    "basis_period_end",
    "currency",
    "period_source",
    "balance",
    "unit",
]
# The currencies a claim's value may be stated in, and the units of any claim's amount.
CLAIM_CURRENCIES = ["USD", "CNY", "JPY", "EUR", "KRW", "GBP", "INR"]
CLAIM_UNITS = ["kg", "bbl/d", "m3", "%", *CLAIM_CURRENCIES]


class NewsArticle(pa.DataFrameModel):
    """One version of an article: where it is, when it was published, and its text."""

    canonical_url: Series[str] = pa.Field(str_matches=r"^(https?://[^/\s]+|file:///)")
    url: Series[str] = pa.Field(str_length={"min_value": 1})
    title: Series[str] = pa.Field(nullable=True)
    outlet: Series[str] = pa.Field(nullable=True)
    author: Series[str] = pa.Field(nullable=True)
    published_at: Series[pd.DatetimeTZDtype] = pa.Field(dtype_kwargs={"unit": "us", "tz": "UTC"})
    published_from: Series[str] = pa.Field(
        isin=["json-ld", "article:published_time", "og", "feed", "gdelt", "given"]
    )
    language: Series[str] = pa.Field(nullable=True)
    # Pages shorter than settings.MIN_BODY_CHARACTERS are refused by the parser; plain text
    # handed over on purpose may be a single sentence, but never empty.
    text: Series[str] = pa.Field(str_length={"min_value": 1})
    text_sha256: Series[str] = pa.Field(str_matches=r"^[0-9a-f]{64}\Z")

    class Config:
        strict = True
        coerce = True


class NewsClaim(pa.DataFrameModel):
    """One figure an article states (kg, a volume, a currency or percent), with its series and
    the months it is about."""

    claim_no: Series[int] = pa.Field(ge=0)
    kind: Series[str] = pa.Field(isin=["quantity", "value", "percent"])
    measure: Series[str] = pa.Field(isin=["weight", "value", "volume"])
    sentence_no: Series[int] = pa.Field(ge=0)
    sentence: Series[str] = pa.Field(str_length={"min_value": 1})
    stated: Series[str] = pa.Field(str_length={"min_value": 1})
    commodity: Series[str] = pa.Field(nullable=True)
    hs_code: Series[str] = pa.Field(
        nullable=True, str_matches=r"^([0-9]{2}|[0-9]{4}|[0-9]{6}|TOTAL)\Z"
    )
    reporter_code: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0, le=999)
    partner_code: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=0, le=999)
    # T: trade both ways, B: the balance; null where the report does not say
    flow: Series[str] = pa.Field(nullable=True, isin=["M", "X", "T", "B"])
    period: Series[pd.Timestamp] = pa.Field(nullable=True)
    period_end: Series[pd.Timestamp] = pa.Field(nullable=True)
    per_month: Series[bool]
    direction: Series[str] = pa.Field(nullable=True, isin=["up", "down"])
    qualifier: Series[str] = pa.Field(nullable=True)
    amount: Series[float] = pa.Field(nullable=True)
    low: Series[float] = pa.Field(nullable=True)
    high: Series[float] = pa.Field(nullable=True)
    tolerance: Series[float] = pa.Field(ge=0)
    basis: Series[str] = pa.Field(nullable=True)
    basis_period: Series[pd.Timestamp] = pa.Field(nullable=True)
    basis_period_end: Series[pd.Timestamp] = pa.Field(nullable=True)
    currency: Series[str] = pa.Field(nullable=True, isin=CLAIM_CURRENCIES)
    period_source: Series[str] = pa.Field(nullable=True, isin=["text", "report", "publication"])
    balance: Series[str] = pa.Field(nullable=True, isin=["surplus", "deficit"])
    unit: Series[str] = pa.Field(nullable=True, isin=CLAIM_UNITS)

    @pa.dataframe_check(name="period_order")
    def _period_order(cls, frame: pd.DataFrame) -> Series[bool]:
        return frame["period"].isna() | (frame["period"] <= frame["period_end"])

    @pa.dataframe_check(name="bounds_order")
    def _bounds_order(cls, frame: pd.DataFrame) -> Series[bool]:
        return frame["low"].isna() | frame["high"].isna() | (frame["low"] <= frame["high"])

    @pa.dataframe_check(name="quantities_not_negative")
    def _not_negative(cls, frame: pd.DataFrame) -> Series[bool]:
        amounts = frame["kind"] != "percent"
        return ~amounts | frame["low"].isna() | (frame["low"] >= 0)

    class Config:
        strict = True
        coerce = True
        unique = ["claim_no"]


class ArticleRejected(ValueError):
    """An article or its claims broke the contract; the message says which check and why."""


def check_article(frame: pd.DataFrame) -> pd.DataFrame:
    """The article row, validated; ``ArticleRejected`` naming every failed check otherwise."""
    return _validate(NewsArticle, frame[ARTICLE_COLUMNS])


def check_claims(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """An article's claims that pass, and a reason for each one that does not."""
    frame = frame.reindex(columns=CLAIM_COLUMNS)
    try:
        return NewsClaim.validate(frame, lazy=True), []
    except SchemaErrors as exc:
        cases = exc.failure_cases
        if cases["index"].isna().any():
            raise ArticleRejected(_reasons(cases)) from exc
        bad = sorted({int(i) for i in cases["index"]})
        reasons = [
            f"claim {frame.loc[i, 'claim_no']} ({frame.loc[i, 'stated']!r}): "
            + _reasons(cases[cases["index"] == i])
            for i in bad
        ]
        return _validate(NewsClaim, frame.drop(index=bad)), reasons


def _validate(model: type[pa.DataFrameModel], frame: pd.DataFrame) -> pd.DataFrame:
    try:
        return model.validate(frame, lazy=True)
    except SchemaErrors as exc:
        raise ArticleRejected(_reasons(exc.failure_cases)) from exc


def _reasons(cases: pd.DataFrame) -> str:
    return "; ".join(
        sorted({f"{row.column or 'row'} fails {row.check}" for row in cases.itertuples()})
    )
