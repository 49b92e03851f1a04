"""The registry pod's Prometheus metrics (`spec/registry-operator.md` §5), fed with batches of
completed requests as numpy arrays; one `RegistryMetrics` per registry pod (process).

Where the numbers come from (§4.1 handler chain, outermost first: storage health gate,
probes, read/write limiter, Prometheus instrumentation, distribution app):

* a request the limiter rejects (429), the health gate answers (503) or that dies with the
  process (code 0) never completes inside the instrumentation: it is observed nowhere;
* everything else is observed by promhttp (requests_total, duration, request and response
  size), 405 (readOnly, §4.3) and 307 (redirected blob GET, §4.4) included; the duration
  is `end - start`, `start` being the admission past the limiter, so queue wait is excluded;
* the wrapped registry operations (`OPERATIONS`) and storage-driver operations
  (`STORAGE_OPERATIONS`) are observed only for requests that reached a handler: under
  readOnly distribution registers no write handler (§4.3), so a 405 performs none.

HELP strings are upstream's (IR `pkg/dockerregistry/server/metrics/prometheus.go`,
`pkg/version/version.go`). `imageregistry_http_time_to_write_header_seconds` is
instrumented upstream but never registered, so it does not exist here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

import numpy as np

from twin.model.registry.exposition import Family, Sample, Snapshot, rows, text
from twin.model.registry.requests import METHOD, OPERATIONS, STORAGE_OPERATIONS, Kind
from twin.model.registry.service import StorageOp
from twin.model.registry.summaries import OBJECTIVES, AgedSummary, grouped_bins

_SUMMARY, _COUNTER, _GAUGE = "summary", "counter", "gauge"
# HELP texts are upstream's verbatim: some say "histogram" although the type is summary (§5).
IN_FLIGHT = Family("imageregistry_http_in_flight_requests", _GAUGE, "A gauge of requests currently being served by the registry.")
REQUESTS = Family("imageregistry_http_requests_total", _COUNTER, "A counter for requests to the registry.", ("code", "method"))
HTTP_DURATION = Family("imageregistry_http_request_duration_seconds", _SUMMARY,
                       "A histogram of latencies for requests to the registry.", ("method",))
REQUEST_SIZE = Family("imageregistry_http_request_size_bytes", _SUMMARY, "A histogram of sizes of requests to the registry.")
RESPONSE_SIZE = Family("imageregistry_http_response_size_bytes", _SUMMARY,
                       "A histogram of response sizes for requests to the registry.")
OPERATION_DURATION = Family("imageregistry_request_duration_seconds", _SUMMARY,
                            "Request latency in seconds for each operation.", ("operation",))
STORAGE_DURATION = Family("imageregistry_storage_duration_seconds", _SUMMARY,
                          "Latency of operations with the storage.", ("operation",))
FAMILIES = (
    IN_FLIGHT, REQUESTS, HTTP_DURATION, REQUEST_SIZE, RESPONSE_SIZE, OPERATION_DURATION, STORAGE_DURATION,
    Family("imageregistry_storage_errors_total", _COUNTER, "Cumulative number of failed operations with the storage.",
           ("operation", "code")),
    Family("imageregistry_pullthrough_blobstore_cache_requests_total", _COUNTER,
           "Total number of requests to the BlobStore cache.", ("type",)),
    Family("imageregistry_pullthrough_repository_duration_seconds", _SUMMARY,
           "Latency of operations with remote registries in seconds.", ("registry", "operation")),
    Family("imageregistry_pullthrough_repository_errors_total", _COUNTER,
           "Cumulative number of failed operations with remote registries.", ("registry", "operation", "code")),
    Family("imageregistry_digest_cache_requests_total", _COUNTER,
           "Total number of requests without scope to the digest cache.", ("type",)),
    Family("imageregistry_digest_cache_scoped_requests_total", _COUNTER,
           "Total number of scoped requests to the digest cache.", ("type",)),
    Family("imageregistry_build_info", _GAUGE, "A metric with a constant '1' value labeled by major, minor, git commit & "
           "git version from which the image registry was built.", ("major", "minor", "gitCommit", "gitVersion")),
)
"""Every registered family (§5 table), upstream HELP text, labels in Go declaration order."""
FAMILY = {f.name: f for f in FAMILIES}

NOT_OBSERVED = (429, 503, 0)
"""Limiter rejection, storage health gate, no response (§4.1): outside the instrumentation."""
NO_HANDLER = (405,)
"""readOnly: no write handler registered, so no registry or storage operation ran (§4.3)."""

METHODS = tuple(sorted(set(METHOD.values())))
OPERATION_NAMES = tuple(sorted({op for ops in OPERATIONS.values() for op in ops}))
STORAGE_OPERATION_NAMES = tuple(sorted({op for ops in STORAGE_OPERATIONS.values() for op in ops} | {"StorageDriver.Reader"}))


def _per_kind(table: Mapping[Kind, tuple[str, ...]], slot: int, names: tuple[str, ...]) -> np.ndarray:
    """Label index of the `slot`-th operation of each kind (indexed by Kind code), -1 if none."""
    return np.array([names.index(table[k][slot]) if len(table[k]) > slot else -1 for k in Kind], dtype=np.int64)


_METHOD_OF = np.array([METHODS.index(METHOD[k]) for k in Kind], dtype=np.int64)
_OPERATION = (_per_kind(OPERATIONS, 0, OPERATION_NAMES), _per_kind(OPERATIONS, 1, OPERATION_NAMES))
_STORAGE = (_per_kind(STORAGE_OPERATIONS, 0, STORAGE_OPERATION_NAMES), _per_kind(STORAGE_OPERATIONS, 1, STORAGE_OPERATION_NAMES))
_BY_METHOD = [(m,) for m in METHODS]
_BY_OPERATION = [(op,) for op in OPERATION_NAMES]
_BY_STORAGE_OPERATION = [(op,) for op in STORAGE_OPERATION_NAMES]
_URL_FOR, _READER = STORAGE_OPERATION_NAMES.index("StorageDriver.URLFor"), STORAGE_OPERATION_NAMES.index("StorageDriver.Reader")


@dataclass(frozen=True, slots=True)
class Completed:
    """A batch of requests that finished on one registry pod, one entry per request.

    `code` is the HTTP status, 0 when the connection broke without a response; `start` is
    the admission past the limiter and `end` the moment the response was fully written
    (seconds); `storage[:, j]` is the latency of the j-th `STORAGE_OPERATIONS[kind]`, NaN
    where the kind has fewer (or the request performed none); `cpu` and `transfer` are
    seconds of registry CPU and of byte streaming (not part of any §5 family)."""

    kind: np.ndarray
    code: np.ndarray
    start: np.ndarray
    end: np.ndarray
    cpu: np.ndarray
    storage: np.ndarray
    transfer: np.ndarray
    request_bytes: np.ndarray
    response_bytes: np.ndarray
    storage_error: np.ndarray | None = None  # StorageOp that failed past the retries, -1 if none

    def __post_init__(self):
        if self.storage_error is None:
            object.__setattr__(self, "storage_error", np.full(len(self.kind), -1, np.int8))
        object.__setattr__(self, "storage_error", np.asarray(self.storage_error, dtype=np.int8))
        for name, dtype in _DTYPES.items():
            object.__setattr__(self, name, np.asarray(getattr(self, name), dtype=dtype))
        n = len(self.kind)
        bad = [name for name in _DTYPES if len(getattr(self, name)) != n]
        if bad or self.storage.shape != (n, 2):
            raise ValueError(f"Completed: arrays must all have length {n} and storage shape ({n}, 2); check {bad or ['storage']}")

    def __len__(self) -> int:
        return len(self.kind)


_DTYPES = {"kind": np.int8, "code": np.int16, "start": np.float64, "end": np.float64, "cpu": np.float64,
           "storage": np.float64, "transfer": np.float64, "request_bytes": np.int64, "response_bytes": np.int64}


def observed(code: np.ndarray) -> np.ndarray:
    """§4.1: which requests the Prometheus instrumentation sees (not 429, 503 or 0)."""
    return ~np.isin(code, NOT_OBSERVED)


def reached_handler(code: np.ndarray) -> np.ndarray:
    """§4.3: which observed requests ran registry and storage operations (not readOnly's 405)."""
    return ~np.isin(code, NO_HANDLER)


def blob_get_second_storage_operation(code: np.ndarray) -> np.ndarray:
    """§4.4: a blob GET's second storage-driver operation, as an index into
    `STORAGE_OPERATION_NAMES`: `StorageDriver.URLFor` when redirected (307),
    `StorageDriver.Reader` when streamed (200), none (-1) otherwise."""
    return np.where(code == 307, _URL_FOR, np.where(code == 200, _READER, -1))


def operation_observations(kind: np.ndarray, duration: np.ndarray, storage: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`imageregistry_request_duration_seconds` observations as (index into
    OPERATION_NAMES, seconds): a single operation lasts the whole request (`end - start`);
    UPLOAD_COMMIT's BlobStore.Resume lasts its first storage operation and BlobWriter.Commit
    the rest of the request."""
    first, second = _OPERATION[0][kind], _OPERATION[1][kind]
    split = second >= 0
    groups = np.concatenate([first, second])
    values = np.concatenate([np.where(split, storage[:, 0], duration), duration - storage[:, 0]])
    return groups, values


def storage_observations(kind: np.ndarray, code: np.ndarray, storage: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`imageregistry_storage_duration_seconds` observations as (index into
    STORAGE_OPERATION_NAMES, seconds), one per storage column, BLOB_GET's second by code."""
    second = np.where(kind == Kind.BLOB_GET, blob_get_second_storage_operation(code), _STORAGE[1][kind])
    return np.concatenate([_STORAGE[0][kind], second]), np.concatenate([storage[:, 0], storage[:, 1]])


def _sort_key(family: Family, values: tuple[str, ...]) -> tuple[str, ...]:
    """client_golang orders a family's metrics by label values, label names sorted."""
    return tuple(v for _, v in sorted(zip(family.labels, values)))


class RegistryMetrics:
    """The metrics of one registry process. Time (`now`, seconds) must not go backwards."""

    def __init__(self, *, major: str, minor: str, git_commit: str, git_version: str):
        self._build = (major, minor, git_commit, git_version)
        self._in_flight = 0.0
        self._counters: dict[str, dict[tuple[str, ...], float]] = {f.name: {} for f in FAMILIES if f.type == _COUNTER}
        self._summaries: dict[str, dict[tuple[str, ...], AgedSummary]] = {f.name: {} for f in FAMILIES if f.type == _SUMMARY}

    def observe(self, now: float, batch: Completed) -> None:
        """Record a batch of completed requests at `now`.

        * 429, 503 and 0 are skipped entirely (§4.1); 405 and 307 are counted (§4.3, §4.4);
        * `requests_total{code, method}`, `http_request_duration_seconds{method}` (end -
          start: the instrumentation sits inside the limiter, §4.1), request and response size;
        * unless 405 (§4.3): `request_duration_seconds{operation}` per `OPERATIONS[kind]`
          (`operation_observations`) and `storage_duration_seconds{operation}` per
          non-NaN storage column (`storage_observations`, `blob_get_second_storage_operation`).

        Every request of the batch counts as observed at `now` (promhttp observes each at its
        own `end`): hand batches over well within a summary stream's 2 minutes."""
        keep = observed(batch.code)
        kind, code = batch.kind[keep].astype(np.int64), batch.code[keep]
        if kind.size == 0:
            return
        duration = batch.end[keep] - batch.start[keep]
        self._count_requests(kind, code)
        self._observe_grouped(now, HTTP_DURATION, _BY_METHOD, _METHOD_OF[kind], duration)
        single = np.zeros(kind.size, dtype=np.int64)
        self._observe_grouped(now, REQUEST_SIZE, [()], single, batch.request_bytes[keep].astype(np.float64))
        self._observe_grouped(now, RESPONSE_SIZE, [()], single, batch.response_bytes[keep].astype(np.float64))
        ran = reached_handler(code)
        kind, code, duration, storage = kind[ran], code[ran], duration[ran], batch.storage[keep][ran]
        self._observe_grouped(now, OPERATION_DURATION, _BY_OPERATION, *operation_observations(kind, duration, storage))
        self._observe_grouped(now, STORAGE_DURATION, _BY_STORAGE_OPERATION, *storage_observations(kind, code, storage))
        self._count_storage_errors(batch.storage_error[keep][ran])

    def _count_storage_errors(self, failed: np.ndarray) -> None:
        """`imageregistry_storage_errors_total{operation, code}`: the registry's storage
        driver wrapper counts a failed operation with the driver error's code; an S3 error
        past the SDK's retries is not a storage-driver error code, so `UNKNOWN`
        (openshift/image-registry `pkg/dockerregistry/server/metrics`, `StorageDriver`)."""
        counts = np.bincount(failed[failed >= 0].astype(np.int64), minlength=len(StorageOp))
        for op in np.flatnonzero(counts).tolist():
            self.inc("imageregistry_storage_errors_total",
                     {"operation": f"StorageDriver.{StorageOp(op).name}", "code": "UNKNOWN"}, int(counts[op]))

    def set_in_flight(self, n: float) -> None:
        """`imageregistry_http_in_flight_requests`: requests admitted past the limiter and not
        yet finished (§4.1: queued ones excluded). A state the caller owns."""
        self._in_flight = float(n)

    def inc(self, family: str, labels: Mapping[str, str], amount: float = 1.0) -> None:
        """Add `amount` (>= 0) to a counter child, creating it at 0 on first use."""
        spec, values = self._child(family, _COUNTER, labels)
        if amount < 0:
            raise ValueError(f"{family}: a counter cannot decrease (amount {amount})")
        children = self._counters[spec.name]
        children[values] = children.get(values, 0.0) + float(amount)

    def observe_values(self, now: float, family: str, labels: Mapping[str, str], values: np.ndarray) -> None:
        """Observe raw values into one summary child at `now` (NaN values are skipped)."""
        spec, key = self._child(family, _SUMMARY, labels)
        values = np.asarray(values, dtype=np.float64)
        self._observe_grouped(now, spec, [key], np.zeros(values.size, dtype=np.int64), values)

    def snapshot(self, now: float) -> list[Snapshot]:
        """Every registered family's samples at `now`, families sorted by name."""
        return [Snapshot(f, tuple(self._samples(f, now))) for f in sorted(FAMILIES, key=lambda f: f.name)]

    def exposition(self, now: float) -> bytes:
        """The `/extensions/v2/metrics` body at `now` (Prometheus text format, timestamps `now`)."""
        return text(self.snapshot(now), now)

    def samples(self, now: float) -> list[Sample]:
        """Every exposed sample at `now` as a `Sample(time, metric, labels, value)` row."""
        return rows(self.snapshot(now), now)

    def _child(self, family: str, kind: str, labels: Mapping[str, str]) -> tuple[Family, tuple[str, ...]]:
        spec = FAMILY.get(family)
        if spec is None or spec.type != kind:
            raise ValueError(f"{family!r} is not a registered {kind} family")
        if set(labels) != set(spec.labels):
            raise ValueError(f"{family}: expected labels {list(spec.labels)}, got {sorted(labels)}")
        return spec, tuple(str(labels[name]) for name in spec.labels)

    def _count_requests(self, kind: np.ndarray, code: np.ndarray) -> None:
        tally = np.bincount(code.astype(np.int64) * len(METHODS) + _METHOD_OF[kind])
        children = self._counters[REQUESTS.name]
        for index in np.flatnonzero(tally):
            key = (str(index // len(METHODS)), METHODS[index % len(METHODS)])
            children[key] = children.get(key, 0.0) + float(tally[index])

    def _observe_grouped(self, now: float, family: Family, names: list[tuple[str, ...]], groups: np.ndarray,
                         values: np.ndarray) -> None:
        """Observe `values` into the children `names[groups]` of a summary family (groups -1
        and NaN values are skipped); children come to be at their first observation."""
        keep = (groups >= 0) & ~np.isnan(values)
        if not keep.all():
            groups, values = groups[keep], values[keep]
        if values.size == 0:
            return
        counts, sums, sizes = grouped_bins(groups, values, len(names))
        children = self._summaries[family.name]
        for g in np.flatnonzero(sizes):
            child = children.get(names[g])
            if child is None:
                child = children[names[g]] = AgedSummary(now)
            child.add(now, counts[g], sums[g], sizes[g])

    def _samples(self, family: Family, now: float):
        if family is IN_FLIGHT:
            yield family.name, {}, self._in_flight
        elif family.name == "imageregistry_build_info":
            yield family.name, dict(zip(family.labels, self._build)), 1.0
        elif family.type == _COUNTER:
            children = self._counters[family.name]
            for values in sorted(children, key=lambda v: _sort_key(family, v)):
                yield family.name, dict(zip(family.labels, values)), children[values]
        else:
            children = self._summaries[family.name]
            for values in sorted(children, key=lambda v: _sort_key(family, v)):
                yield from _summary_samples(family, dict(zip(family.labels, values)), children[values], now)


def _summary_samples(family: Family, labels: dict[str, str], child: AgedSummary, now: float):
    """A summary child as client_golang writes it: quantiles ascending, `_sum`, `_count`."""
    for q, value in zip(OBJECTIVES, child.quantiles(now)):
        yield family.name, {**labels, "quantile": _go_string(q)}, value
    yield family.name + "_sum", labels, child.sum
    yield family.name + "_count", labels, float(child.count)


def _go_string(value: float) -> str:
    """Go's formatting of a float label value, as prometheus_client writes it (imported
    when a summary is first rendered: the package pulls in its HTTP server and ssl)."""
    from prometheus_client.utils import floatToGoString
    return floatToGoString(value)
