"""Build hook: compile the data plane with mypyc (`twin/_native.py` says which modules and
how a stale or missing build falls back to plain Python).

Set TWIN_PURE_PYTHON=1 to install without compiling. A compiler failure does not fail
the install: it says so, and the twin runs as plain Python.
"""

import json
import os
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))
from twin._native import COMPILED, SOURCES, digest, source_of  # noqa: E402

sys.path.pop(0)


class BuildOrFallBack(build_ext):
    def run(self):
        SOURCES.unlink(missing_ok=True)
        try:
            super().run()
        except Exception as exc:  # noqa: BLE001 - any compiler failure leaves the plain-Python twin
            print(f"registry-twin: compiling the data plane failed ({exc}); it runs as plain Python", file=sys.stderr)
            return
        SOURCES.write_text(json.dumps({m: digest(m) for m in COMPILED}, indent=1, sort_keys=True) + "\n", encoding="utf-8")


def extensions():
    if os.environ.get("TWIN_PURE_PYTHON"):
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        print("registry-twin: mypyc is not available; the data plane runs as plain Python", file=sys.stderr)
        return []
    paths = [str(source_of(m).relative_to(HERE)) for m in COMPILED]
    options = ["--follow-imports=silent", "--ignore-missing-imports"]  # type errors elsewhere do not stop the build
    try:
        return mypycify(options + paths, group_name="twin._native", opt_level="3")
    except BaseException as exc:  # noqa: BLE001 - mypyc exits on type errors; the twin still runs as plain Python
        print(f"registry-twin: mypyc refused the data plane ({exc!r}); it runs as plain Python", file=sys.stderr)
        return []


setup(ext_modules=extensions(), cmdclass={"build_ext": BuildOrFallBack})
