"""``python -m ledger.cli``: the ``coopledger`` command."""

import sys

from ledger.cli import main

sys.exit(main())
