import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def cfl():
    """``benchmarks/cfl.py``: facility-location instances in siteplan's dataset format, and the
    textbook model built directly in highspy."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import cfl as mod
    finally:
        sys.path.pop(0)
    return mod
