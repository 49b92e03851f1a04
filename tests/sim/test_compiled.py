"""The compiled data plane (`twin/_native.py`, `setup.py`) and the plain-Python one are
the same program: a traffic run writes byte-identical files either way."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import twin

SCENARIO = "pull-storm-default-config"
FILES = ("summary.json", "events.csv", "requests.parquet", "queues.parquet", "latency.parquet", "resources.parquet")


def run(out, pure: bool) -> dict[str, bytes]:
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    env.pop("TWIN_PURE_PYTHON", None)
    if pure:
        env["TWIN_PURE_PYTHON"] = "1"
    done = subprocess.run([sys.executable, "-c", "import sys, twin; from twin.cli import main; "
                           "print(twin.DATA_PLANE, file=sys.stderr); sys.exit(main(sys.argv[1:]))",
                           "run", SCENARIO, "--quiet", "--out", str(out)], capture_output=True, text=True, timeout=600,
                          env=env)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == ("python" if pure else twin.DATA_PLANE)
    return {name: (out / name).read_bytes() for name in FILES}


def test_compiled_and_plain_python_write_the_same_bytes(tmp_path):
    if twin.DATA_PLANE != "compiled":
        if os.environ.get("TWIN_REQUIRE_COMPILED"):
            pytest.fail("TWIN_REQUIRE_COMPILED is set but the data plane is not compiled (see setup.py's output)")
        pytest.skip("this install runs the data plane as plain Python (no compiled build to compare with)")
    assert run(tmp_path / "compiled", pure=False) == run(tmp_path / "python", pure=True)


def _makefile_native() -> set[str]:
    """The files `make` rebuilds the compiled plane for: the Makefile's NATIVE, its
    `$(wildcard …)` patterns expanded as make does."""
    root = Path(twin.__file__).parent.parent
    text = (root / "Makefile").read_text(encoding="utf-8").replace("\\\n", " ")
    line = next(line for line in text.splitlines() if line.startswith("NATIVE :="))
    files: set[str] = set()
    for pattern in line.removeprefix("NATIVE :=").replace("$(wildcard", " ").replace(")", " ").split():
        files |= {str(p.relative_to(root)) for p in root.glob(pattern)}
    return files


def test_make_rebuilds_the_compiled_plane_when_any_compiled_module_changes():
    """An edit to a compiled module that `make` does not see leaves the build stale: every
    module then loads from its source (`_native.fresh`), correct but several times slower."""
    from twin import _native

    root = Path(twin.__file__).parent.parent
    compiled = {str(_native.source_of(module).relative_to(root)) for module in _native.COMPILED}
    assert compiled - _makefile_native() == set()
