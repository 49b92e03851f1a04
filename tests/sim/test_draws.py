"""The data plane's draws come from a seeded stream in blocks: a stream gives the same
values whatever the blocks it is drawn in, which lets the plane's own streams (read by
nothing else) use small blocks, kept in the cache while they are read."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.sim.planes import plane
from twin.sim.traffic.storage import NORMALS_PER_DRAW, OWN_BLOCK, Draws


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**32 - 1), st.booleans(), st.sampled_from([1, 7, OWN_BLOCK]))
def test_a_stream_gives_the_same_values_whatever_its_blocks(seed, uniform, block):
    small = Draws(np.random.default_rng(seed), uniform=uniform, block=block)
    large = Draws(np.random.default_rng(seed), uniform=uniform)
    assert large.block == NORMALS_PER_DRAW
    n = 3 * OWN_BLOCK + 5  # past a few of the small blocks' refills
    assert [small.next() for _ in range(n)] == [large.next() for _ in range(n)]


def test_the_plane_draws_its_own_streams_in_small_blocks():
    p = plane()
    assert p.uniforms.block == p.storage.normals.block == OWN_BLOCK < NORMALS_PER_DRAW
