"""Hypothesis keeps caches under `.hypothesis/` in the current directory (the constants
of local modules, beside the example database the check turns off). A check must write
nothing into the user's folder but the counterexample, so for its duration Hypothesis's
storage is a temporary directory, removed afterwards."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis.configuration import set_hypothesis_home_dir, storage_directory


@contextmanager
def private_storage() -> Iterator[None]:
    previous = storage_directory(intent_to_write=False).home_directory
    with tempfile.TemporaryDirectory(prefix="twin-check-") as folder:
        set_hypothesis_home_dir(folder)
        try:
            yield
        finally:
            set_hypothesis_home_dir(previous)
