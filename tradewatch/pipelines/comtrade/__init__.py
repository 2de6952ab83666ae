"""UN Comtrade: monthly customs statistics by reporter, partner, commodity and flow."""

from .fetch import (
    ComtradeHTTPError,
    ComtradeRequest,
    RawPayload,
    api_key_from_env,
    fetch_request,
    plan_requests,
)
from .parse import (
    ComtradeAPIError,
    LayoutChanged,
    commodity_names,
    iter_payload_frames,
    parse_payload,
)
from .replay import REPLAYERS
from .settings import MIN_INTERVAL_SECONDS, SOURCE

__all__ = [
    "MIN_INTERVAL_SECONDS",
    "REPLAYERS",
    "SOURCE",
    "ComtradeAPIError",
    "ComtradeHTTPError",
    "ComtradeRequest",
    "LayoutChanged",
    "RawPayload",
    "api_key_from_env",
    "fetch_request",
    "iter_payload_frames",
    "parse_payload",
    "commodity_names",
    "plan_requests",
]
