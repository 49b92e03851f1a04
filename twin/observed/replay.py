"""A registry access log as requests to send again (`traffic.replay`; the sending is
`twin/sim/traffic/replay.py`): per request its arrival time (the log's time less its
duration), counted from the first arrival and divided by `speed`, its kind, its body bytes
(a 200's; 0 for a redirect, whose bytes never crossed the registry, and for uploads, whose
request bodies a log does not record), and whether a blob HEAD found nothing (404).
Lines of no request kind ("other": tag lists, catalog, probes) are left out, counted."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from twin.model.registry.requests import Kind

KIND_OF = {k.name.lower(): int(k) for k in Kind}


@dataclass(frozen=True, eq=False)
class ReplayRequests:
    offsets: np.ndarray  # seconds after the replay starts, ascending
    kinds: np.ndarray  # int Kind
    nbytes: np.ndarray
    misses: np.ndarray  # a blob HEAD the registry answered 404
    skipped: int  # log lines of no request kind

    @classmethod
    def from_log(cls, frame, speed: float = 1.0) -> ReplayRequests:
        """From `twin.observed.read_access_log`'s frame."""
        known = frame["kind"].isin(KIND_OF).to_numpy()
        rows = frame[known]
        duration = rows["duration_seconds"].to_numpy(dtype=float)
        arrival = rows["time"].to_numpy(dtype=float) - np.where(np.isfinite(duration), duration, 0.0)
        order = np.argsort(arrival, kind="stable")
        arrival = arrival[order]
        kinds = np.array([KIND_OF[k] for k in rows["kind"].to_numpy()[order]], dtype=np.int64)
        status = rows["status"].to_numpy()[order]
        nbytes = np.where(status == 200, rows["bytes_written"].to_numpy()[order], 0).astype(np.int64)
        offsets = (arrival - arrival[0]) / speed if len(arrival) else arrival
        return cls(offsets, kinds, nbytes, (kinds == int(Kind.BLOB_HEAD)) & (status == 404), int((~known).sum()))

    def __len__(self) -> int:
        return len(self.offsets)
