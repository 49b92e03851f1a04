"""Cached primitive strategies the check draws from (building a strategy inside a draw
costs more than the draw)."""

from __future__ import annotations

from functools import lru_cache

from hypothesis import strategies as st


@lru_cache(maxsize=None)
def offsets(span: int):
    """0..span: an offset from the low end of a range, shrinking towards 0."""
    return st.integers(0, span)


@lru_cache(maxsize=None)
def indices(count: int):
    """An index into `count` choices, shrinking towards the first."""
    return st.sampled_from(range(count))
