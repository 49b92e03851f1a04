"""The compiled data plane (`twin/_native.py`, `setup.py`) and the plain-Python one are
the same program: a traffic run writes byte-identical files either way."""

from __future__ import annotations

import os
import subprocess
import sys

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
