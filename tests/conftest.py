"""Shared test setup: make the helper modules next to the tests importable."""

import sys
from pathlib import Path

for folder in ("conformance", ""):
    path = str(Path(__file__).parent / folder)
    if path not in sys.path:
        sys.path.insert(0, path)
