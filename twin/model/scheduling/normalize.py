"""Score normalisation helpers shared by plugins."""

from __future__ import annotations

import numpy as np

MAX_NODE_SCORE = 100


def default_normalize(raw: np.ndarray, reverse: bool) -> np.ndarray:
    """`helper.DefaultNormalizeScore(MaxNodeScore, reverse, scores)`:
    scale to 0..100 by the maximum (integer division); when the maximum is 0, every node
    gets 100 if `reverse` and keeps 0 otherwise; `reverse` then flips to 100 − score."""
    top = int(raw.max()) if len(raw) else 0
    if top == 0:
        return np.full(len(raw), MAX_NODE_SCORE if reverse else 0, dtype=np.int64)
    scaled = MAX_NODE_SCORE * raw // top
    return MAX_NODE_SCORE - scaled if reverse else scaled
