"""The twin's own request-level figures, streamed into counters and sketches as batches
finish (no per-request records): requests issued and their outcomes by client, kind and
code; client-seen latency quantiles by kind (over the run, per phase and per
`latency_every` window); limiter peaks per pod; and a time series of each pod's running
and queued requests.

The outcome counts, latency sketches, timeline and session figures are sums (and
`first_429` a minimum) over the requests, so they are the same whatever batches the
requests come in: the data plane's small batches (one per pod per flush) wait in
`pending` and are counted `DEFER_ROWS` at a time, and `settle()` counts what is left.
They are read only after the run (`Flusher.close`, at the engine's finish, settles them
before the totals are left); the per-sample series and the limiter peaks are kept at once."""

from __future__ import annotations

from collections import Counter

import numpy as np

from twin.model.registry.batch import Client, Served
from twin.model.registry.requests import CLASS_OF_CODE, CODE_CLASSES, WRITES, Kind, Limiter, Outcome
from twin.model.registry.summaries import BIN_VALUES, BINS, bin_index, quantile_values
from twin.sim.traffic.ended import Ended, Pending
from twin.sim.traffic.sessions import SessionTally

SERIES_COLUMNS = ("time", "pod", "running", "queued", "read_running_peak", "read_queued_peak", "write_running_peak",
                  "write_queued_peak")
"""Running and queued at the sample, and each limiter's peaks since the previous sample."""
_WRITE = np.array([k in WRITES for k in Kind])
_ANSWERED = np.array([name in ("ok", "redirect") for name in CODE_CLASSES])
"""By code class: answered (a 2xx or 3xx code: of the codes 0..599 the statistics count,
`CLASS_OF_CODE` gives those classes to 200..399 and to no other; a test checks it)."""
_TOO_MANY = CODE_CLASSES.index("too_many")
"""The class of 429 (`Outcome.TOO_MANY`) and of no other code in 0..599."""
GROUPS = len(Client) * len(Kind)
CODES = len(CLASS_OF_CODE)
LATENCY_EVERY = 60.0
"""Seconds per window of the latency time series (`latency_series`)."""
COMPACT_ENTRIES = 500_000  # merge the sparse latency chunks when they hold this many entries
DEFER_ROWS = 100_000
"""Ended requests (`take`) and sessions (`bin_sessions`) counted together once this many
wait: numpy's per-call cost dominates the data plane's batches of a few hundred rows."""


class RequestStats:
    def __init__(self, series_every: float = 10.0, phase_edges: tuple[float, ...] = (),
                 latency_every: float = LATENCY_EVERY) -> None:
        """`phase_edges`: times (the scenario's faults) that split the run into phases, each
        with its own latency quantiles and outcome counts."""
        self.phase_edges = np.array(sorted(set(phase_edges)), dtype=float)
        phases = len(self.phase_edges) + 1
        self.phase_latency = np.zeros((phases, len(Kind), BINS), np.int64)
        self.phase_outcomes = np.zeros((phases, len(CODE_CLASSES)), np.int64)
        self.series_every = series_every
        self.next_sample = 0.0
        self.issued_counts = np.zeros(GROUPS, np.int64)
        self.outcomes: Counter[tuple[int, int, int]] = Counter()
        self.latency = np.zeros((GROUPS, BINS), np.int64)  # arrival to response, 2xx and 3xx only
        self.series: list[tuple] = []  # SERIES_COLUMNS
        self.open_at_end: Counter[tuple[int, int]] = Counter()
        self.peaks: dict[str, dict] = {}
        self.read_only: dict[str, Counter] = {}
        self.per_interval: dict[int, np.ndarray] = {}  # interval index -> counts by CODE_CLASSES
        self.latency_every = latency_every
        self.window_latency = SparseCounts()  # key (window * len(Kind) + kind) * BINS + bin -> answered requests
        self.first_429: float | None = None  # when the first 429 was answered
        self.sessions: dict[tuple[int, str], int] = {}  # (client, "ok" or "failed") -> pulls or pushes
        self.session_seconds = np.zeros((len(Client), BINS), np.int64)  # successful ones, by client
        self.tally = SessionTally()  # pulls and pushes ended, not yet counted
        self.pending = Pending()  # requests ended, not yet counted
        self.defer_rows = DEFER_ROWS  # 1: count every batch as it comes

    def take(self, columns: tuple[list[float], list[float], list[int]], pod: str | None,
             read_only: bool = False) -> None:
        """Ended requests as `exchange.outcome_columns` gives them (time, end, key), from
        `pod` (None: they reached none): counted now in the read-only pods' writes, with
        the others once `defer_rows` wait (`settle`)."""
        time, end, key = columns
        n = len(time)
        keys = np.fromiter(key, np.int64, n)
        if read_only and pod is not None:
            self._count_read_only((keys >> 16) % len(Kind), keys & 0xFFFF, pod)
        self.pending.add(np.fromiter(time, np.float64, n), np.fromiter(end, np.float64, n), keys)
        if self.pending.rows >= self.defer_rows:
            self.settle()

    def settle(self) -> None:
        """Count every request and session still pending (the figures are complete after it)."""
        if self.pending.rows:
            pending, self.pending = self.pending, Pending()
            self._count(pending.columns(), None)
        self.bin_sessions(at_least=0)

    def bin_sessions(self, at_least: int | None = None) -> None:
        """Take the pulls and pushes that ended since the last call (`sessions.SessionTally`),
        once `at_least` (`defer_rows`) wait: counted by client and outcome, the durations
        of the successful ones kept in the per-client sketch."""
        if len(self.tally.clients) < max(self.defer_rows if at_least is None else at_least, 1):
            return
        clients, failed, seconds = self.tally.take()
        if not clients:
            return
        client, bad, took = np.array(clients, np.int64), np.array(failed, np.int64), np.array(seconds)
        for key, n in enumerate(np.bincount(2 * client + bad, minlength=2 * len(Client)).tolist()):
            if n:
                outcome = (key // 2, "failed" if key % 2 else "ok")
                self.sessions[outcome] = self.sessions.get(outcome, 0) + n
        ok = bad == 0
        np.add.at(self.session_seconds, (client[ok], bin_index(took[ok])), 1)

    def finished(self, done: Served, pod: str | None, read_only: bool = False) -> None:
        """Count a batch of ended requests now."""
        self._count(Ended.of(done), pod, read_only)

    def _count(self, done: Ended, pod: str | None, read_only: bool = False) -> None:
        counts = np.bincount(done.group * CODES + done.code, minlength=GROUPS * CODES)  # codes are 0..599
        kinds = len(Kind)
        for key in np.flatnonzero(counts).tolist():  # by group, then code
            group, code = divmod(key, CODES)
            self.outcomes[(group // kinds, group % kinds, code)] += int(counts[key])
        if read_only and pod is not None:
            self._count_read_only(done.kind, done.code, pod)
        klass = CLASS_OF_CODE.take(done.code)  # once for the outcome figures below
        rejected = klass == _TOO_MANY
        if rejected.any():
            first = float(done.end[rejected].min())
            self.first_429 = first if self.first_429 is None else min(self.first_429, first)
        self._timeline(done, klass)
        answered = _ANSWERED[klass]
        seconds = (done.end - done.time)[answered]
        bins = bin_index(seconds)  # once for the three latency figures
        kind = done.group[answered] % kinds  # the answered requests' kinds, for two of them
        self._by_phase(done, klass, answered, kind, bins)
        if answered.any():
            self.latency += _bin_counts(done.group[answered], bins, GROUPS)
            self._by_window(done.end[answered], seconds, kind, bins)

    def due(self, t: float) -> bool:
        return t + 1e-9 >= self.next_sample

    def sample(self, t: float, servers: dict) -> None:
        """Every `series_every` seconds: each pod's admitted and queued requests."""
        self.next_sample = t + self.series_every
        for key in sorted(servers):
            running, queued = servers[key].running_and_queued()
            window = servers[key].take_window()
            read, write = window[Limiter.READ], window[Limiter.WRITE]
            self.series.append((t, key, running, queued, read.running, read.queued, write.running, write.queued))
            self.keep_peaks(key, servers[key])

    def keep_peaks(self, key: str, server) -> None:
        """Merge a server's limiter peaks into the pod's (a pod's container may restart)."""
        mine = self.peaks.setdefault(key, {})
        for limiter, seen in server.peaks.items():
            mine[limiter] = mine[limiter].merge(seen) if limiter in mine else seen

    def count_open(self, requests: list) -> None:
        """Requests still open at the end of the run, by (client, kind)."""
        for r in requests:
            self.open_at_end[(r.client, r.kind)] += 1

    def _by_phase(self, done: Ended, klass: np.ndarray, answered: np.ndarray, kind: np.ndarray,
                  bins: np.ndarray) -> None:
        """Outcomes by phase and code class (`klass`: `CLASS_OF_CODE` of each code); the
        `answered` requests' latency `bins` by phase and `kind`."""
        phase = np.searchsorted(self.phase_edges, done.end, side="right")
        width = len(CODE_CLASSES)
        self.phase_outcomes += np.bincount(phase * width + klass, minlength=self.phase_outcomes.size).reshape(-1, width)
        if answered.any():
            groups = phase[answered] * len(Kind) + kind
            counts = _bin_counts(groups, bins, self.phase_latency.shape[0] * len(Kind))
            self.phase_latency += counts.reshape(self.phase_latency.shape)

    def _by_window(self, end: np.ndarray, seconds: np.ndarray, kind: np.ndarray, bins: np.ndarray | None = None) -> None:
        """Answered requests' latency bins (`bin_index(seconds)`, unless given) per
        `latency_every` window of their end time and kind, kept sparse: a sort of the
        batch's keys, or one bincount when the dense grid of the windows it spans is at
        most four times the batch (the same keys and counts, sooner)."""
        window = (end // self.latency_every).astype(np.int64)
        first, span = int(window.min()), int(window.max() - window.min()) + 1
        local = ((window - first) * len(Kind) + kind) * BINS + (bin_index(seconds) if bins is None else bins)
        size = span * len(Kind) * BINS
        if 4 * len(local) >= size:
            counts = np.bincount(local, minlength=size)
            keys = np.flatnonzero(counts)
            counts = counts[keys]
        else:
            keys, counts = np.unique(local, return_counts=True)
        self.window_latency.add(keys + first * len(Kind) * BINS, counts)

    def latency_series(self, quantiles=(0.5, 0.99)) -> list[tuple]:
        """(window start, kind, answered requests, *quantiles) per window and kind with
        answered requests, the quantiles read as `quantile_values` reads a dense store."""
        keys, counts = self.window_latency.merged()
        groups, starts = np.unique(keys // BINS, return_index=True)
        rows = []
        for group, part in zip(groups.tolist(), np.split(np.arange(len(keys)), starts[1:])):
            cumulative = np.cumsum(counts[part])
            ranks = np.asarray(quantiles) * (cumulative[-1] - 1)
            values = BIN_VALUES[keys[part][np.searchsorted(cumulative, ranks, side="right")] % BINS]
            window, kind = divmod(group, len(Kind))
            rows.append((window * self.latency_every, Kind(kind).name.lower(), int(cumulative[-1]), *values.tolist()))
        return rows

    def _count_read_only(self, kind: np.ndarray, code: np.ndarray, pod: str) -> None:
        writes = _WRITE[kind]
        counts = self.read_only.setdefault(pod, Counter())
        counts["succeeded"] += int((writes & (code >= 200) & (code < 300)).sum())
        counts["refused"] += int((writes & (code == Outcome.NOT_ALLOWED)).sum())

    def read_only_writes(self, pod: str) -> dict:
        counts = self.read_only.get(pod, Counter())
        return {"succeeded": counts["succeeded"], "refused": counts["refused"]}

    def _timeline(self, done: Ended, klass: np.ndarray) -> None:
        """Outcomes per `series_every` interval of their end time, by code class (`klass`)."""
        interval = (done.end // self.series_every).astype(np.int64)
        first, width = int(interval.min()), len(CODE_CLASSES)
        span = int(interval.max()) - first + 1
        counts = np.bincount((interval - first) * width + klass, minlength=span * width).reshape(span, width)
        for i in np.flatnonzero(counts.any(axis=1)).tolist():
            self.per_interval.setdefault(first + i, np.zeros(width, np.int64))[:] += counts[i]

    def totals(self) -> dict:
        """Issued, finished and open requests keyed "client/kind" and "client/kind/code"."""
        def name(group: int) -> str:
            return f"{Client(group // len(Kind)).name.lower()}/{Kind(group % len(Kind)).name.lower()}"
        issued = {name(g): int(n) for g, n in enumerate(self.issued_counts.tolist()) if n}
        outcomes = {f"{Client(c).name.lower()}/{Kind(k).name.lower()}/{code}": n
                    for (c, k, code), n in sorted(self.outcomes.items())}
        still_open = {f"{Client(c).name.lower()}/{Kind(k).name.lower()}": n for (c, k), n in sorted(self.open_at_end.items())}
        return {"issued": issued, "outcomes": outcomes, "open": still_open}

    @staticmethod
    def quantiles_of(counts: np.ndarray, quantiles=(0.5, 0.99)) -> tuple[float, ...]:
        return quantile_values(counts, quantiles)


def _bin_counts(groups: np.ndarray, bins: np.ndarray, n_groups: int) -> np.ndarray:
    """Counts (n_groups, BINS) of (group, bin) pairs: `summaries.grouped_bins`' counts, the
    bins given."""
    return np.bincount(groups.astype(np.int64) * BINS + bins, minlength=n_groups * BINS).reshape(n_groups, BINS)


class SparseCounts:
    """Counts by int64 key, appended in chunks and merged (keys sorted, each once) when the
    chunks hold twice the entries of the last merge (at least `COMPACT_ENTRIES`), or when
    read."""

    def __init__(self) -> None:
        self.chunks: list[tuple[np.ndarray, np.ndarray]] = []
        self.entries = 0
        self.limit = COMPACT_ENTRIES

    def add(self, keys: np.ndarray, counts: np.ndarray) -> None:
        self.chunks.append((keys, counts))
        self.entries += len(keys)
        if self.entries >= self.limit:
            self.merged()

    def merged(self) -> tuple[np.ndarray, np.ndarray]:
        keys = np.concatenate([np.zeros(0, np.int64), *(k for k, _ in self.chunks)])
        counts = np.concatenate([np.zeros(0, np.int64), *(c for _, c in self.chunks)]).astype(np.int64)
        order = np.argsort(keys, kind="stable")
        keys, counts = keys[order], counts[order]
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else order
        self.chunks = [(keys[starts], np.add.reduceat(counts, starts) if len(keys) else counts)]
        self.entries = len(starts)
        self.limit = max(COMPACT_ENTRIES, 2 * self.entries)
        return self.chunks[0]
