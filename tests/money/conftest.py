"""Fixtures for the money tests (defined in ``money_builders``).

The folder is *appended* to ``sys.path`` (never put first), so ``from conftest import …``
in the top-level tests still finds the top-level conftest.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ["BEANCOUNT_DISABLE_LOAD_CACHE"] = "1"
HERE = str(Path(__file__).resolve().parent)
if HERE not in sys.path:
    sys.path.append(HERE)

from money_builders import books_fixture, key_env_fixture  # noqa: E402, F401
