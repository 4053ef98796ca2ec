"""coopledger core: hub configuration, chart of accounts, participants, the books and the CLI."""

import os

# Beancount's pickle cache is a plaintext copy of the books that is unpickled on the next
# load: never let any code path of ours turn it on.
os.environ["BEANCOUNT_DISABLE_LOAD_CACHE"] = "1"
