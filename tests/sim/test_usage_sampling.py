"""Resource sampling reads every node's link in one inlined loop (`ResourceUsage._link_rates`):
it must give, sample after sample, what `_rates` gives for each link on its own."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from twin.model.registry.resources.links import Link
from twin.sim.traffic.usage import ResourceUsage


def links(started: list[float]) -> dict[str, Link]:
    return {f"node-{i}": Link(100.0, 200.0, 50.0, cap=60.0, clock=at) for i, at in reversed(list(enumerate(started)))}


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([0.0, 0.0, 3.0]), min_size=1, max_size=6),
       st.lists(st.lists(st.tuples(st.integers(0, 5), st.floats(0.0, 400.0)), max_size=4), min_size=1, max_size=5))
def test_the_inlined_link_sampling_gives_each_link_s_rates(started, rounds):
    inlined, plain = links(started), links(started)
    fast, slow = ResourceUsage(), ResourceUsage()
    t = 0.0
    for streams in rounds:
        for node, work in streams:  # some traffic between samples, the same on both sides
            key = f"node-{node % len(started)}"
            for side in (inlined, plain):
                side[key].add(max(t, side[key].clock), work, None)
        t += 10.0
        expected = {node: slow._rates(link, t) for node, link in sorted(plain.items())}
        got = fast._link_rates(inlined, t)
        assert list(got.items()) == list(expected.items())
