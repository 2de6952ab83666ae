"""The registry of sources: each source's pipeline and warehouse parts, put together once.

The only place that knows every source by name; ``flows/ingest.py`` runs any of them.
"""

from .comtrade import COMTRADE, load_comtrade_file
from .gacc import GACC, GaccAnswer, GaccRequest
from .news import NEWS, news_options

__all__ = [
    "COMTRADE",
    "GACC",
    "NEWS",
    "GaccAnswer",
    "GaccRequest",
    "load_comtrade_file",
    "news_options",
]
