"""Long fault runs (issue 3, `make soak`): skipped unless SOAK=1.

    SOAK=1 python3 -m pytest Tests/soak -q -s

Sizes come from the environment (defaults in brackets): SOAK_CRASH_CYCLES [1000],
SOAK_CHAOS_CYCLES [400 per member, 10 members: 4,000 resumes], SOAK_SLOW_SECONDS [60],
SOAK_DISK_ROUNDS [20]; FAULT_SEED seeds every random choice. The scenarios are those of
Tests/integration/faults.py, with the same binary (DIALOGUE_SERVER_BIN).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "integration"))

# The integration suite's fixtures, not a copy of them (loaded under another module name:
# both files are called conftest).
import importlib.util  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    "integration_conftest", Path(__file__).resolve().parents[1] / "integration" / "conftest.py")
_integration = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_integration)
server_factory = _integration.server_factory


def pytest_collection_modifyitems(config, items):
    if os.environ.get("SOAK") != "1":
        skip = pytest.mark.skip(reason="soak runs only with SOAK=1")
        for item in items:
            item.add_marker(skip)
