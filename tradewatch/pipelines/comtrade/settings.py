"""UN Comtrade API: endpoints, limits and the fixed query parameters tradewatch sends."""

SOURCE = "comtrade"
HOST = "comtradeapi.un.org"
# Keyless, rate-limited preview; the subscription endpoint takes the key in a header.
PREVIEW_URL = f"https://{HOST}/public/v1/preview/C/M/HS"
DATA_URL = f"https://{HOST}/data/v1/get/C/M/HS"
API_KEY_HEADER = "Ocp-Apim-Subscription-Key"
API_KEY_ENV = "COMTRADE_API_KEY"

# The API accepts up to 12 periods a call; the preview answers at most 500 records.
MAX_PERIODS_PER_CALL = 12
# Bulk files (one reporter's whole month) carry no record cap.
MAX_RECORDS = {"preview": 500, "data": 100_000, "bulk": None}
# Totals only: all customs procedures, all modes of transport, no second partner.
FIXED_PARAMS = {"customsCode": "C00", "motCode": "0", "partner2Code": "0", "includeDesc": "true"}
MIN_INTERVAL_SECONDS = 1.0
ANNUAL_REF_MONTH = 52
# qtyUnitCode -1 means "no quantity unit" and its abbreviation is the literal "N/A".
NO_QUANTITY_UNIT = {-1}
