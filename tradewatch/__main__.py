"""``python -m tradewatch``: the same command line as the ``tradewatch`` script."""

import sys

from .cli import main

sys.exit(main())
