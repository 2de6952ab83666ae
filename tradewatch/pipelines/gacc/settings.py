"""China Customs (GACC) English site: URLs, table titles, names and units, as published."""

SOURCE = "gacc"
HOST = "english.customs.gov.cn"
BASE_URL = f"http://{HOST}"
REPORTER = 156  # every GACC table is China's own trade
# Index pages: one per publication and year; the current year is also served without the year.
INDEX_URLS = {
    "preliminary": BASE_URL + "/statics/report/preliminary{year}.html",
    "monthly": BASE_URL + "/statics/report/monthly{year}.html",
}
# The current year's index is also (and sometimes only) served without the year.
CURRENT_INDEX_URLS = {
    "preliminary": BASE_URL + "/statics/report/preliminary.html",
    "monthly": BASE_URL + "/statics/report/monthly.html",
}
# Preliminary releases are loaded first: the monthly bulletin revises them.
PUBLICATIONS = ("preliminary", "monthly")
MIN_INTERVAL_SECONDS = 2.0
# The English site's archive starts with 2018; earlier months are not there to fetch.
ARCHIVE_START_YEAR = 2018

# Which index rows hold the tables tradewatch reads (matched on the lower-cased title).
# USD tables are preferred: their values load into value_usd; CNY tables stay in gacc_figures.
TABLES = {
    "commodity_imports": (
        "major imports by quantity and value",
        "major import commodities in quantity and value",
    ),
    "commodity_exports": (
        "major exports by quantity and value",
        "major export commodities in quantity and value",
    ),
    "country": ("by country/region",),
}
CURRENCY_PREFERENCE = ("usd", "us$", "cny")

# Commodity names as published → HS heading. Matched after collapsing spaces, lower-cased.
COMMODITY_HS = {
    "coal and lignite": "2701",
    "coal": "2701",
    "iron ores and concentrates": "2601",
    "iron ore and its concentrate": "2601",
}
# Value units (from the table's "Unit:" line) → currency and multiplier.
VALUE_UNITS = {
    "us$1,000": ("USD", 1_000),
    "usd 1,000": ("USD", 1_000),
    "usd 1 million": ("USD", 1_000_000),
    "usd 100 million": ("USD", 100_000_000),
    "cny 10,000": ("CNY", 10_000),
    "cny 100 million": ("CNY", 100_000_000),
}
# Quantity units (the row's "Quantity Unit") → kilograms per unit.
QUANTITY_UNITS_KG = {"10000t": 10_000_000, "ton": 1_000, "tons": 1_000, "t": 1_000, "kg": 1}
# The widest colspan or rowspan a release table may have; wider is a changed layout.
MAX_SPAN = 50
BLANK = {"", "-", "--", "—", "…", "...", "/"}
