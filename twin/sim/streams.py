"""Named random streams: one seed per run, one independent numpy Generator per
subsystem, derived from the seed and the subsystem's name (not from the order in which
subsystems ask), so adding a stream never changes another's numbers."""

from __future__ import annotations

import zlib

import numpy as np


class RandomStreams:
    def __init__(self, seed: int) -> None:
        self.seed = seed
        self._streams: dict[str, np.random.Generator] = {}

    def __call__(self, name: str) -> np.random.Generator:
        """The stream called `name` (the same object on every call)."""
        if name not in self._streams:
            sequence = np.random.SeedSequence(entropy=self.seed, spawn_key=(zlib.crc32(name.encode()),))
            self._streams[name] = np.random.default_rng(sequence)
        return self._streams[name]
