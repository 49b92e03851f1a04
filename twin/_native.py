"""The data plane's compiled build, and the plain-Python fallback.

The modules in `COMPILED` are fully typed so that the install (`setup.py`) can compile
them with mypyc: they run the same either way, several times faster compiled (the
traffic benchmarks in `bench/` measure both). The build writes `SOURCES` with a SHA-256
of each module's source; when a source no longer matches (it was edited after the
build), or when `TWIN_PURE_PYTHON=1` is set, every compiled module is loaded from its
`.py` instead (all or none: compiled modules call each other's native classes), so a
stale build can never run code that differs from the sources. `make` rebuilds.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.util
import json
import os
import sys
from pathlib import Path

PACKAGE = Path(__file__).parent
COMPILED = (
    "twin.model.registry.resources.heap",
    "twin.model.registry.resources.sharing",
    "twin.model.registry.resources.links",
    "twin.model.registry.resources.objectstore",
    "twin.model.registry.resources.memory",
    "twin.model.registry.overlap",
    "twin.sim.traffic.events",
    "twin.sim.traffic.exchange",
    "twin.sim.traffic.pod",
    "twin.sim.traffic.storage",
    "twin.sim.traffic.sessions",
    "twin.sim.traffic.background",
    "twin.sim.traffic.router",
    "twin.sim.traffic.plane",
)
SOURCES = PACKAGE / "_native_sources.json"
PURE_ENV = "TWIN_PURE_PYTHON"


def source_of(module: str) -> Path:
    return PACKAGE.parent.joinpath(*module.split(".")).with_suffix(".py")


def digest(module: str) -> str:
    return hashlib.sha256(source_of(module).read_bytes()).hexdigest()


def fresh() -> bool:
    """Whether a compiled build exists and was made from the sources as they are now."""
    try:
        built = json.loads(SOURCES.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return all(built.get(module) == digest(module) for module in COMPILED)


class _FromSources(importlib.abc.MetaPathFinder):
    """Finds the compiled modules' `.py` files ahead of their extension modules."""

    def find_spec(self, name, path=None, target=None):
        if name in COMPILED:
            return importlib.util.spec_from_file_location(name, source_of(name))
        return None


def choose() -> str:
    """'compiled' or 'python': which data plane this process runs (decided once, at the
    first import of `twin`, before any compiled module is loaded)."""
    if os.environ.get(PURE_ENV) or not fresh():
        if not any(isinstance(f, _FromSources) for f in sys.meta_path):
            sys.meta_path.insert(0, _FromSources())
        return "python"
    return "compiled"
