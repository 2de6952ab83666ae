"""The words and patterns the claim extractor reads reports with: data, not logic.

Everything a reader of English trade reports recognises — number words, scales, units,
currencies, qualifiers, month names, the phrases that say what a change is measured against,
direction verbs and commodity names — lives here, so that teaching the extractor a new phrase is
an edit to a list, not to the code that attaches figures to months.
"""

from __future__ import annotations

import re
import tomllib
from importlib.resources import files

# Numbers as written: "1,321", "2.465", "27".
NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
SCALES = {
    "trillion": 10**12,
    "tn": 10**12,
    "trn": 10**12,
    "thousand": 10**3,
    "k": 10**3,
    "m": 10**6,
    "mn": 10**6,
    "mln": 10**6,
    "million": 10**6,
    "b": 10**9,
    "bn": 10**9,
    "bln": 10**9,
    "billion": 10**9,
}
SCALE = r"(?:trillion|thousand|million|billion|mln|mn|bln|bn|trn|tn|m|b)"
# Weight units and kilograms per unit; "Mt" alone is million tonnes (see numbers.py).
WEIGHT_UNITS = {
    "metric tonnes": 1000,
    "metric tons": 1000,
    "tonnes": 1000,
    "tons": 1000,
    "tonne": 1000,
    "ton": 1000,
    "mt": 1000,
    "t": 1000,
    "kilograms": 1,
    "kilogrammes": 1,
    "kg": 1,
}
WEIGHT_UNIT = (
    r"(?:metric\s+tonnes|metric\s+tons|tonnes|tons|tonne|ton|mt|t|kilograms|kilogrammes|kg)"
)
# Volumes: barrels per day (crude oil) and cubic metres (gas), kept in their own unit.
VOLUME_UNITS = {
    r"barrels?\s+(?:per|a)\s+day|bpd|b/d|bbl/d": "bbl/d",
    r"cubic\s+met(?:re|er)s|m3|m³": "m3",
    r"bcm": "bcm",  # billion cubic metres
}
# Currencies written before the number, and after it.
CURRENCY_BEFORE = {
    r"US\s?\$": "USD", r"\$": "USD", r"USD\s?": "USD", r"US\s+dollars?\s": "USD",
    r"¥": "JPY", r"JPY\s?": "JPY", r"€": "EUR", r"EUR\s?": "EUR", r"£": "GBP", r"GBP\s?": "GBP",
    r"₩": "KRW", r"KRW\s?": "KRW", r"RMB\s?": "CNY", r"CNY\s?": "CNY",
}  # fmt: skip
CURRENCY_AFTER = {
    r"(?:US|U\.S\.)\s+dollars": "USD",
    r"dollars": "USD",
    r"USD": "USD",
    r"yuan": "CNY",
    r"CNY": "CNY",
    r"RMB": "CNY",
    r"renminbi": "CNY",
    r"yen": "JPY",
    r"JPY": "JPY",
    r"euros?": "EUR",
    r"EUR": "EUR",
    r"won": "KRW",
    r"KRW": "KRW",
    r"(?:British\s+)?pounds(?:\s+sterling)?": "GBP",
    r"GBP": "GBP",
    r"rupees": "INR",
}
# Number words, for reports read aloud ("two per cent", "one-and-a-half billion").
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90,
}  # fmt: skip
ORDINAL_COUNTS = {"first": 1, "second": 2, "third": 3, "fourth": 4}
# Fractions and multiples that state a percent change: (percent, direction).
FRACTIONS = {"quarter": 25, "third": 33.3, "fifth": 20, "tenth": 10}
# "for a third straight month", "a fifth consecutive year": an ordinal, not a fraction
ORDINAL_AFTER = (
    r"straight|consecutive|successive|running|time|month|year|quarter|week|day|place"
    r"|largest|biggest"
)
MULTIPLES = {
    r"more\s+than\s+doubled?": (100, "up", "more than"),
    r"doubled|doubling": (100, "up", None),
    r"(?:two|2)[- ]fold": (100, "up", None),
    r"more\s+than\s+tripled?": (200, "up", "more than"),
    r"tripled|tripling|(?:three|3)[- ]fold": (200, "up", None),
    r"(?:four|4)[- ]fold": (300, "up", None),
    r"(?:five|5)[- ]fold": (400, "up", None),
    r"(?:ten|10)[- ]fold": (900, "up", None),
    r"(?:a\s+)?(?:hundred|100)[- ]fold": (9900, "up", None),
    r"halved|halving": (50, "down", None),
    r"(?:was|were|is|are)\s+(?:only\s+|about\s+|roughly\s+)?half\s+(?:of\s+)?"
    r"(?:what|the|that|those|its|their)": (50, "down", None),
    r"more\s+than\s+double": (100, "up", "more than"),
}
# Qualifiers: the words, and how they bound the figure.
QUALIFIERS = (
    "about", "around", "approximately", "roughly", "nearly", "almost", "some", "close to",
    "just over", "just under", "more than", "over", "above", "at least", "less than", "under",
    "below", "at most", "fewer than", "only", "just", "a near record", "a record",
)  # fmt: skip
LOWER_BOUND = ("more than", "over", "above", "at least", "just over")
UPPER_BOUND = ("less than", "under", "below", "at most", "fewer than", "just under")
APPROXIMATE = ("about", "around", "approximately", "roughly", "nearly", "almost", "some",
               "close to")  # fmt: skip
BELOW_ONLY = ("nearly", "almost")
APPROXIMATE_MARGIN = 0.02

MONTHS = {
    "January": 1, "Jan": 1, "Jannuary": 1, "February": 2, "Feb": 2, "March": 3, "Mar": 3,
    "April": 4, "Apr": 4, "May": 5, "June": 6, "Jun": 6, "July": 7, "Jul": 7, "August": 8,
    "Aug": 8, "September": 9, "Sept": 9, "Sep": 9, "October": 10, "Oct": 10, "November": 11,
    "Nov": 11, "December": 12, "Dec": 12,
}  # fmt: skip
# Month names are matched with their capital, so "may" the verb is not May the month.
MONTH = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
YEAR = r"(?:19|20)\d{2}"

# Phrases after a change that say what it is measured against.
YEAR_EARLIER = (
    r"(?P<cmp>\b(?:from|than|over|on|versus|vs\.?|against|compared\s+(?:with|to))\s+)?"
    r"(?:(?:a|one)\s+year\s+(?:earlier|ago|before)|the\s+(?:same|corresponding)\s+(?:month|period|time|quarter)\s+"
    r"(?:a\s+year\s+(?:earlier|ago)|last\s+year|of\s+(?:the\s+previous|last)\s+year|(?:in|of)\s+"
    rf"(?:{YEAR}|the\s+previous\s+year|last\s+year)|(?:of\s+)?(?:the\s+)?(?:previous|prior)\s+year)"
    r"|(?:a\s+)?year[- ]earlier(?:\s+levels?)?|year[- ]ago(?:\s+levels?)?)"
    r"|(?P<cmp2>\b(?:from|than|over|versus|vs\.?|against|compared\s+(?:with|to))\s+)"
    r"(?:last\s+year|(?:the\s+)?(?:previous|prior|preceding)\s+year)"
    r"|\b(?:year[- ]on[- ]year|year[- ]over[- ]year|y[-/]o[-/]y|y/y|yoy|on[- ]year|on\s+the\s+year|"
    r"on\s+a\s+yearly\s+basis|on\s+an\s+annual\s+basis|from\s+a\s+year[- ]ago)\b"
)
MONTH_EARLIER = (
    r"(?P<cmp>\b(?:from|than|over|on|versus|vs\.?|against|compared\s+(?:with|to))\s+)?"
    r"(?:(?:a|one)\s+month\s+(?:earlier|ago|before)|the\s+(?:previous|prior|preceding)\s+month|"
    r"the\s+month\s+before|(?:the\s+)?(?:previous|prior|preceding)\s+month)"
    r"|\b(?:month[- ]on[- ]month|month[- ]over[- ]month|m[-/]o[-/]m|m/m|on\s+the\s+month|"
    r"sequentially)\b"
)
# Words before a figure that make it the one compared against ("up from $70.1 million").
CONTRAST_BEFORE = re.compile(
    r"(?:\bfrom|\bcompared\s+(?:with|to)(?:\s+an?\s+\w+\s+of)?|\bversus|\bvs\.?|\bagainst|"
    r"\bthan(?:\s+the)?|\bfrom\s+the|\bbelow\s+the|\babove\s+the)\s*$",
    re.IGNORECASE,
)
UP = re.compile(
    r"\b(?:ros[e]|rise[ns]?|rising|risen|increas\w*|up|upwards?|climb\w*|jump\w*|surg\w*|soar\w*|"
    r"gr[eo]w\w*|higher|gain\w*|rebound\w*|doubl\w*|tripl\w*|expand\w*|spik\w*|leapt|leap\w*|"
    r"boost\w*|more|skyrocket\w*|rais\w*|swell\w*|widen\w*|edg\w*\s+up\w*)\b",
    re.IGNORECASE,
)
DOWN = re.compile(
    r"\b(?:f[ae]ll|falls|falling|fallen|dropp?\w*|declin\w*|decreas\w*|down|slump\w*|plung\w*|"
    r"slid\w*|slide\w*|slipp?\w*|lower|tumbl\w*|shr[aiu]nk\w*|sank|sink\w*|plummet\w*|cut|halv\w*|"
    r"contract\w*|dipp?\w*|reduc\w*|less|slow\w*|eas\w*|nose-div\w*|div\w*|shriv\w*|below)\b",
    re.IGNORECASE,
)
TRADE_WORDS = re.compile(
    r"\b(?:import\w*|export\w*|surplus\w*|deficits?|trade\s+balance|outbound|overseas\s+sales|"
    r"shipment\w*|shipp\w*|ship|purchas\w*|bought|buy\w*|sold|sell\w*|"
    r"trade\w*|deliver\w*|suppl\w*|arriv\w*|sourced|received|cargoes|brought\s+in|volume)\b",
    re.IGNORECASE,
)
PRICE_WORDS = re.compile(r"\b(?:price|prices|priced|cost|costs)\b", re.IGNORECASE)
# "the per-tonne value of the soybean imports": a price, whatever trade words follow
PRICE_OF = re.compile(
    r"\b(?:(?:per[- ](?:tonne|ton|unit)|unit|average)\s+(?:import\s+|export\s+)?"
    r"(?:value|price|cost)s?|(?:import|export)\s+prices?)\s+of\b",
    re.IGNORECASE,
)
VALUE_WORDS = re.compile(
    r"\b(?:worth|value[sd]?|dollars?|revenue|earnings|dollar\s+terms)\b|\$", re.IGNORECASE
)
TOTAL_WORDS = re.compile(r"\b(?:total|overall|all\s+sources|worldwide|global)\b", re.IGNORECASE)
ALL_GOODS = re.compile(
    r"\b(?:total\s+trade|bilateral\s+trade|trade\s+with|trade\s+between|all\s+goods|"
    r"(?:total|overall)\s+(?:imports|exports)\s+(?:from|to|of)|"
    r"(?:imports|exports)\s+(?:from|to)\s+(?:North\s+Korea|the\s+North)\s+(?:fell|rose|dropped|"
    r"were|was|totall?ed|declined|slid|increased|also|in)|North\s+Korean\s+(?:goods|products)|"
    r"goods\s+from|in\s+goods|export\s+items|trade\s+volume|imports\s+and\s+exports)\b",
    re.IGNORECASE,
)


# Commodity names as reports write them, and the HS heading of each: data in commodities.toml.
def _commodities() -> tuple[dict[str, re.Pattern], dict[str, str]]:
    table = tomllib.loads(files(__package__).joinpath("commodities.toml").read_text("utf-8"))
    patterns, headings = {}, {"all goods": "TOTAL"}
    for entry in table["commodity"]:
        flags = 0 if entry.get("case") else re.IGNORECASE
        patterns[entry["name"]] = re.compile("|".join(entry["words"]), flags)
        if "hs" in entry:
            headings[entry["name"]] = entry["hs"]
    return patterns, headings


COMMODITIES, COMMODITY_HS = _commodities()
# Besides the country table's names: what Korean reporting calls North Korea.
PARTNER_ALIASES = (
    (re.compile(r"\bthe\s+North\b"), 408),
    (re.compile(r"\b(?:the\s+)?rest\s+of\s+the\s+world\b|\bthe\s+world\b(?!['’]s)", re.I), 0),
)

# Phrases around a figure that say what kind of figure it is.
# "BEIJING, May 23 (Reuters) -": where and when the report was filed, never a figure's period.
DATELINE = re.compile(
    r"^\s*[A-Z][A-Z/ .]{2,40}(?:,?\s+[A-Z][a-z]{2,4}\.?\s+\d{1,2}(?:,\s*\d{4})?)?\s*"
    r"(?:\([^)]{1,40}\))?\s*(?:-|–|—|--)\s+"
)
# "1.8 million tonnes a month": the months' average; "$1 billion a year": a rate, no month's
PER_MONTH = re.compile(
    r"(?:\s+[\w'’-]+){0,4}?\s+(?:a|per|each|every)\s+month\b|\s+monthly\b", re.IGNORECASE
)
# "up month-on-month by 5.8 million tons", "rose by $2 million", "up 24.9m tonnes or 13.8%"
CHANGE_BEFORE = re.compile(
    r"\b(?:up|down|rose|fell|increased|decreased|grew|dropped|declined|higher|lower|gained|lost)"
    r"\s+(?:[\w-]+\s+){0,2}?by\s*$|\b(?:up|down)\s*$",
    re.IGNORECASE,
)
CHANGE_OF = re.compile(
    r"\s+(?:decrease|increase|drop|fall|rise|growth|decline|gain|jump|slump|surge)\s+of\s+"
    r"(?:about\s+|around\s+|nearly\s+|almost\s+)?",
    re.IGNORECASE,
)
# "USD 162.8 per tonne" is a price, not a trade value
PER_UNIT = re.compile(r"\s*(?:a|per|/)\s*(?:metric\s+)?(?:tonne|ton|t|mt|kg)\b", re.IGNORECASE)
# "total annual exports of $3 billion": a yearly rate too
ANNUAL_BEFORE = re.compile(r"\bannual\s+(?:[\w-]+\s+){0,3}(?:of\s+|at\s+)?$", re.IGNORECASE)
PER_YEAR = re.compile(
    r"\s+(?:a|per|each|every)\s+year\b(?![- ]?(?:earlier|ago|before|on))|\s+annually\b",
    re.IGNORECASE,
)

# --- Whose trade a figure is (identity.py) ---
# Who publishes a country's figures, as reports name them: a figure they give is that country's.
# An authority named without its country ("the ministry", "customs") is the report's own.
AUTHORITIES = (
    (r"General\s+Administration\s+of\s+Customs|GACC|(?:China|Chinese)(?:['’]s)?\s+[Cc]ustoms"
     r"|China['’]s\s+customs", "CHN"),
    (r"Ministry\s+of\s+Trade,\s+Industry\s+and\s+(?:Energy|Resources)|MOTIE|Korea\s+Customs"
     r"\s+Service|(?:South\s+)?Korea['’]s\s+(?:trade|industry)\s+ministry", "KOR"),
    (r"Japan['’]s\s+(?:Ministry\s+of\s+Finance|Finance\s+Ministry)", "JPN"),
    (r"(?:U\.S\.|US)\s+Census\s+Bureau|Census\s+Bureau|Bureau\s+of\s+Economic\s+Analysis"
     r"|(?:U\.S\.|US)\s+Commerce\s+Department", "USA"),
    (r"Reserve\s+Bank\s+of\s+India|\bRBI\b|India['’]s\s+(?:commerce|trade)\s+ministry", "IND"),
    (r"\bEurostat\b", "EU"),
    (r"\bHMRC\b|HM\s+Revenue\s+(?:and|&)\s+Customs", "GBR"),
    (r"Taiwan['’]s\s+(?:Ministry\s+of\s+Finance|Finance\s+Ministry)", "TWN"),
)  # fmt: skip
# Where an outlet is at home, for "the nation's exports" in a report that names no country: a
# country's own domain (the address's last label), or a national outlet on a generic one.
OUTLET_DOMAINS = {
    "cn": "CHN", "jp": "JPN", "kr": "KOR", "tw": "TWN", "in": "IND", "au": "AUS", "uk": "GBR",
    "hk": "HKG", "sg": "SGP", "my": "MYS", "id": "IDN", "vn": "VNM", "th": "THA", "ph": "PHL",
    "pk": "PAK", "za": "ZAF", "ca": "CAN", "nz": "NZL", "de": "DEU", "fr": "FRA", "br": "BRA",
    "ru": "RUS", "ar": "ARG", "cl": "CHL", "mx": "MEX", "tr": "TUR",
    "taipeitimes.com": "TWN", "koreaherald.com": "KOR", "koreatimes.co.kr": "KOR",
    "asahi.com": "JPN", "xinhuanet.com": "CHN", "cgtn.com": "CHN", "thehindu.com": "IND",
    "indiatimes.com": "IND", "business-standard.com": "IND", "livemint.com": "IND",
    "hindustantimes.com": "IND", "outlookbusiness.com": "IND", "straitstimes.com": "SGP",
    "bernama.com": "MYS", "channelnewsasia.com": "SGP",
}  # fmt: skip
# Countries that publish no trade statistics: their trade is read from their partners' figures,
# so "North Korea's coal exports to China" are China's imports from North Korea.
NO_STATISTICS = ("PRK",)
# "the nation's exports", "the country's imports", "its exports": the country the report is about
SAME_REPORTER = re.compile(
    r"\b(?:the\s+(?:nation|country|economy)['’]s|its|domestic)\s+(?:[\w-]+\s+){0,3}?$",
    re.IGNORECASE,
)
# A country that trades: "China imported", "Japan's exports", "Chinese imports", "into China".
# {country} stands for a named country; the pattern's end is where the flow word may begin.
SUBJECT_AFTER = re.compile(
    r"\s*(?:['’]s?\s+(?![A-Z]\w*\s+[A-Z])|\s+(?:has|had|have)?\s*(?:imported|exported|shipped|bought|sold|ran|posted"
    r"|recorded|reported|registered|logged|purchased|brought|received|saw|took|imports|exports"
    r"|buys|sells|ships)\b)",
)
SUBJECT_BEFORE = re.compile(
    r"(?:\binto\s+(?:(?:top|the\s+world['’]s\s+(?:top|biggest|largest))\s+\w+\s+)?|\bexports?\s+"
    r"(?:[\w-]+\s+){0,2}from\s+|\bimports?\s+(?:[\w-]+\s+){0,2}(?:in|to|into)\s+)$",
    re.IGNORECASE,
)
# "Japanese exports", "U.S. soy exports", "North Korean coal imports": the country trading, or,
# before imports, where the goods come from
ADJECTIVE_AFTER = re.compile(
    r"\s+(?:[a-z][\w-]*\s+){0,2}?(?:imports|exports|shipments|trade|sales|purchases|surplus"
    r"|deficit|outbound|overseas)\b"
)
# A country named as the other side of the trade: "from Brazil", "to the U.S.", "with China".
PARTNER_AFTER = re.compile(r"-bound\b")  # "China-bound coal exports"
PARTNER_BEFORE = re.compile(
    r"\b(?:from|to|with|versus|vs\.?|and|between)\s+(?:the\s+)?(?:(?:(?:top|main|biggest|"
    r"largest|second-largest|No\.\s*\d)\s+)?(?:suppliers?|buyers?|markets?|sources?|customers?"
    r"|partners?|destinations?)\s+)?$",
    re.IGNORECASE,
)
# A report calling its country "the nation" or "the country": in a report naming none, the
# outlet's own country is the report's, for its unqualified figures too
SELF_NAMED = re.compile(r"\bthe\s+(?:nation|country)['’]s\b", re.IGNORECASE)
# An aside between dashes: " — the gap between what the US sells and what it buys — "
# (the same dash at both ends: a single hyphen also follows a dateline, "Beijing (AFP) - ")
ASIDE = re.compile(r"\s(—|–|--)\s(?:(?!—|–|--).){1,120}?\s\1\s")
# Between the items of a list: "to China, the United States and Japan"
LISTED = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|\s+and\s+)(?:the\s+)?$")
# Flow words as the country trading says them, checked in this order at the same place.
FLOW_WORDS = (
    (r"\b(?:trade\s+)?(?:surplus|surpluses|deficits?|shortfall)\b|\btrade\s+balance\b|\bin\s+the"
     r"\s+(?:red|black)\b|\b(?:gap|difference)\s+between\s+(?:imports|exports)\s+and\s+(?:imports"
     r"|exports)\b", "B"),
    (r"\b(?:total|bilateral|two-way|overall)\s+trade\b|\bimports\s+and\s+exports\b|\bexports\s+"
     r"and\s+imports\b|\btrade\s+(?:volume|turnover|value)\b|\btrade\s+(?:with|between)\b"
     r"|\bgoods\s+trade\b|\btraded\b", "T"),
    (r"\bexport(?!ers?\b)\w*|\boutbound\s+(?:shipments|sales)|\boverseas\s+(?:shipments|sales)"
     r"|\bshipments\s+(?:abroad|overseas|to)\b|\bshipped\s+(?:out|abroad|overseas)\b|\bsold\b|\bsales\s+"
     r"(?:to|abroad)\b|\bsells?\b|\bships\s+(?:to|out)\b|\boutflows?\b", "X"),
    (r"\bimport(?!ers?\b)\w*|\bbought\b|\bbuy(?:s|ing)?\b|\bpurchas\w*|\barriv\w*|\binbound\s+shipments|"
     r"\bbrought\s+in\b|\bshipments\s+(?:from|into)\b|\bshipped\s+(?:from|into)\b"
     r"|\bintake\b|\bcargoes\b|\binflows?\b", "M"),
)  # fmt: skip
# Trade named without a direction ("trade in dollar terms with North Korea"): both ways, when
# nothing in the clause says otherwise
# "shipped 2.28 million tonnes of the oilseed from Argentina", "shipped ... to China": the
# partner's preposition says which way the goods went
SHIPPED = re.compile(r"\bship(?:ped|s|ping|ments?)\b", re.IGNORECASE)
WEAK_FLOW_WORDS = (
    (r"\btrade\b(?!\s+(?:war|ministry|ministers?|data|figures|statistics|tensions|talks|"
     r"disputes?|tariffs?|polic\w+|deal|agreement|association|body|group|office|officials?))",
     "T"),
)  # fmt: skip
# "a 18.7 percent jump in imports": the flow a figure is of, said right after it
FLOW_AFTER = re.compile(
    r"\s*(?:[a-z]+\s+){0,2}?(?:in|of)\s+(?:(?:its|their|the)\s+)?(?:[a-z]+\s+)?(?=imports|exports"
    r"|shipments|outbound|overseas)"
)
DEFICIT_WORDS = re.compile(r"\b(?:deficits?|shortfall|in\s+the\s+red)\b", re.IGNORECASE)
SURPLUS_WORDS = re.compile(r"\b(?:surplus\w*|in\s+the\s+black)\b", re.IGNORECASE)

# --- Not a trade claim (claims.py) ---
# Said before a figure in its part of the sentence: a forecast, not a figure customs published
# ("economists polled by Reuters expected exports to rise 9.1 percent", "the consensus estimate of
# a 0.6% gain"); the figure it is compared against still is one ("against $40.21 in November").
FORECAST_AFTER = re.compile(
    r"\s*(?:[\w-]+\s+){0,2}?(?:expected|forecast|predicted|projected|estimated)\s+by\b",
    re.IGNORECASE,
)
FORECAST_BEFORE = re.compile(
    r"\b(?:forecasts?|forecast(?:ed|ing)|expect(?:s|ed|ing|ations?)?|predict\w*|projected"
    r"|projections?|polls?|polled|consensus|estimates?\b|anticipat\w*|likely\s+to|set\s+to"
    r"|will\s+(?:rise|fall|grow|reach|keep|be))",
    re.IGNORECASE,
)
# The actual figure set beside expectations, not a forecast: "lower than expected as shipments
# fell nearly 10%", "beating expectations, exports rose 5%" (but "expectations of 3%" is one)
THAN_EXPECTED = re.compile(
    r"\bthan\s+(?:[\w-]+\s+){0,3}?(?:expected|forecast|anticipated|estimated|predicted"
    r"|projected)\b|\b(?:beat(?:ing)?|miss(?:ed|ing)?|exceed(?:ed|ing)?|top(?:ped|ping)?|above"
    r"|below)\s+(?:\w+\s+)?(?:expectations|forecasts|estimates)\b(?!\s+(?:of|for)\b)",
    re.IGNORECASE,
)
# Figures of something other than trade: tariffs and duties, the economy, stocks, production.
NOT_TRADE_BEFORE = re.compile(
    r"\b(?:tariffs?|duty|duties|levy|levies|economic\s+growth|GDP|gross\s+domestic|inflation"
    r"|growth\s+target|target|production|output|stockpiles?|stocks|inventor(?:y|ies)|reserves"
    r"|futures|interest\s+rates?|unemployment|consumption|currency(?!-)|exchange\s+rate)\b",
    re.IGNORECASE,
)
NOT_TRADE_AFTER = re.compile(
    r"\s*(?:[\w-]+\s+){0,2}?(?:tariffs?|duty|duties|levy|levies|tax(?:es)?)\b|\s+(?:to|per|"
    r"against)\s+the\s+(?:U\.?S\.?\s+)?(?:dollar|euro|yen)\b",
    re.IGNORECASE,
)
# "from August's $52.05 billion", "against $40.21": the figure compared against, said as fact
COMPARED_BEFORE = re.compile(
    r"\b(?:from|against|versus|vs\.?|compared\s+(?:with|to)|than)\s+(?:\S+\s+){0,2}$",
    re.IGNORECASE,
)
# A span the sentence calls a total: its figure is the months' sum, not the last month's
SUM_WORDS = re.compile(
    r"\b(?:cumulative|cumulatively|combined|in\s+total|altogether)\b", re.IGNORECASE
)
# Where a part of a sentence begins, for the words above.
PART_BREAK = re.compile(r"[,;:—–()]|--|\s-\s|\bbut\b|\bwhile\b|\bwhereas\b", re.IGNORECASE)

# Fiscal years by reporter: the month they start, and whether "fiscal 2017"/"FY2017" names the
# year they start in (Japan's fiscal 2017 is April 2017 - March 2018) or end in (India's FY2017 is
# April 2016 - March 2017; the US federal FY2017 is October 2016 - September 2017).
FISCAL_YEARS = {
    "JPN": (4, "start"),
    "GBR": (4, "start"),
    "IND": (4, "end"),
    "USA": (10, "end"),
    "AUS": (7, "end"),
}
FISCAL_DEFAULT = (4, "start")
