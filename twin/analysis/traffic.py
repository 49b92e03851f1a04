"""Request time series a run report plots, from the run folder's frames
(`requests.parquet`, `queues.parquet`, `latency.parquet`)."""

from __future__ import annotations

import numpy as np
import pandas as pd

REQUESTS_INTERVAL = 10.0
"""Seconds per row of `requests.parquet` (the traffic engine's `series_every`)."""
RATES = {"too_many": "429", "not_allowed": "405", "unavailable": "503", "failed": "failed (no answer)"}
"""The outcome classes whose rates the report plots, and their labels."""


def has_traffic(summary: dict) -> bool:
    return bool(summary.get("requests")) and summary["requests"].get("issued", 0) > 0


def outcome_rates(requests: pd.DataFrame, end: float, interval: float = REQUESTS_INTERVAL) -> pd.DataFrame:
    """Per `interval` from 0 to `end`: requests finished per second in each RATES class
    (intervals with no finished request, absent from `requests.parquet`, are 0)."""
    starts = np.arange(0.0, max(end, interval), interval)
    frame = requests.set_index("time").reindex(starts, fill_value=0)
    rates = frame[[c for c in RATES]].astype("float64") / interval
    return rates.rename_axis("time").reset_index()


def short_pod(key: str) -> str:
    """`openshift-image-registry/image-registry-6d9995cc6c-n4425` -> `6d9995cc6c-n4425`."""
    return key.split("/")[-1].removeprefix("image-registry-")
