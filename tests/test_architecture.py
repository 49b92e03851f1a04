"""The layering of `spec/architecture.md`: simpy only in twin/sim; lower layers never
import higher ones."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

TWIN = Path(__file__).parent.parent / "twin"
# higher may import lower, never the reverse
LAYERS = ["model", "observed", "invariants", "scenarios", "importing", "calibration", "sim", "run", "place", "analysis", "comparison", "report", "sweep", "check", "api",
          "pytest_plugin", "cli"]
FREE = {"errors", "files", "strategies", "__init__", "__main__", "_native"}


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def layer(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "twin" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in LAYERS else None


SOURCES = sorted(TWIN.rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=[str(p.relative_to(TWIN)) for p in SOURCES])
def test_only_the_sim_package_imports_simpy(path):
    in_sim = path.relative_to(TWIN).parts[0] == "sim"
    uses = any(name == "simpy" or name.startswith("simpy.") for name in imports(path))
    assert in_sim or not uses


@pytest.mark.parametrize("path", SOURCES, ids=[str(p.relative_to(TWIN)) for p in SOURCES])
def test_a_module_never_imports_a_higher_layer(path):
    own = path.relative_to(TWIN).parts[0].removesuffix(".py")
    if own in FREE:
        return
    rank = LAYERS.index(own)
    higher = [m for m in imports(path) if layer(m) is not None and LAYERS.index(layer(m)) > rank]
    assert not higher, f"{path.relative_to(TWIN)} imports {higher}"
