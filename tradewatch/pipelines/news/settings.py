"""News sources: GDELT's endpoint, politeness, and the words claims are recognised by."""

from __future__ import annotations

SOURCE = "news"
GDELT_SOURCE = "gdelt"
GDELT_HOST = "api.gdeltproject.org"
GDELT_URL = "https://api.gdeltproject.org/api/v2/doc/doc"
# GDELT asks for at most one request every 5 seconds (its 429 body says so).
GDELT_MIN_INTERVAL_SECONDS = 5.0
GDELT_MAX_RECORDS = 250
# GDELT DOC 2.0 indexes articles from 2017-01-01 on; earlier months are found through feeds.
GDELT_COVERAGE_START = (2017, 1)
# Article pages and feeds: one request per host every 2 seconds, at most 5 MB a page.
PAGE_MIN_INTERVAL_SECONDS = 2.0
PAGE_MAX_BYTES = 5_000_000
# A page must arrive whole within this many seconds: one that drips a byte every few seconds
# is given up on (named, into news_rejects), never waited on for hours.
PAGE_DEADLINE_SECONDS = 120.0
HTML_TYPES = ("text/html", "application/xhtml+xml")
TEXT_TYPES = ("text/plain",)
# A body shorter than this is not an article (a paywall stub, a cookie wall, an error page).
MIN_BODY_CHARACTERS = 200

# When China's customs publishes a month: preliminary totals around the 10th of the next month,
# the detail by partner country around the 20th (what a report that names no month is read as).
TOTALS_RELEASE_DAY = 10
DETAIL_RELEASE_DAY = 20
