"""Prometheus HTTP API `query_range` exports (`GET /api/v1/query_range`, the JSON a
Prometheus or Thanos Querier answers: Prometheus docs "HTTP API", range queries) to the
metrics frame of `samples.py`.

One file holds one response `{"status":"success","data":{"resultType":"matrix","result":
[{"metric":{"__name__":…,…},"values":[[<unix seconds>,"<value>"],…]}]}}` or a JSON list of
them (one per query); `read_query_range` also takes several files. Values are strings
("NaN", "+Inf" included), as Prometheus writes them.

Labels: `pod` becomes the pod column; the labels Prometheus' target discovery attaches
(`TARGET_LABELS`: instance, job, namespace, service, endpoint, container, prometheus, …)
are dropped so a series carries the labels the registry exposes, as a scrape does.

Errors (InputError, with the file and the JSON path): not JSON; a status other than
"success" (its errorType and error quoted); a resultType other than "matrix" (an instant
`query` export has no history); a series without `__name__` (a query that aggregated it
away: keep the name with `sum by (__name__, pod, …)` or export the raw series); no registry
series at all.

Queries a planner runs (each with `start`, `end`, `step=30s`), against the cluster's
Thanos Querier (`docs/calibration.md`, "Exporting from a cluster"):

    imageregistry_http_requests_total
    imageregistry_http_request_duration_seconds_sum
    imageregistry_http_request_duration_seconds_count
    imageregistry_http_request_duration_seconds          (the summary's quantiles)
    imageregistry_http_in_flight_requests
    imageregistry_storage_duration_seconds_sum
    imageregistry_storage_duration_seconds_count
    imageregistry_request_duration_seconds_sum
    imageregistry_request_duration_seconds_count
    imageregistry_storage_errors_total
    container_cpu_usage_seconds_total{namespace="openshift-image-registry",container="registry"}
    container_memory_working_set_bytes{namespace="openshift-image-registry",container="registry"}

Counters are exported raw (not `rate(...)`): `rates.py` computes the rates per interval,
handling resets as `rate()` does, and raw series keep that choice with the planner.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

import pandas as pd

from twin.errors import InputError
from twin.model.kube_io import reader
from twin.model.quoting import clipped, shown
from twin.observed import samples

TARGET_LABELS = frozenset({"instance", "job", "namespace", "service", "endpoint", "container", "prometheus",
                           "prometheus_replica", "metrics_path", "node", "id", "image", "name", "uid",
                           "tenant_id", "cluster", "receive", "replica"})


def read_query_range(paths: str | Path | Iterable[str | Path]) -> pd.DataFrame:
    """Every series of one or several exports, in the metrics frame."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    rows: list[tuple] = []
    for path in paths:
        rows.extend(_file_rows(str(path)))
    return samples.frame(rows)


def _file_rows(source: str) -> list[tuple]:
    raw = reader.read_bytes(source)
    if not raw.strip():
        raise InputError(source, "", "expected a Prometheus query_range JSON export, got an empty file")
    try:
        document = reader.parse_json(reader.decode(raw, source), source)
    except InputError as error:
        if not error.message.startswith(("malformed JSON", "expected UTF-8")):
            raise
        raise InputError(source, error.path, f"expected a Prometheus query_range JSON export, got invalid JSON "
                         f"({error.message})") from None
    responses = document if isinstance(document, list) else [document]
    rows, registry = [], False
    for i, response in enumerate(responses):
        where = f"[{i}]" if isinstance(document, list) else ""
        part = _response_rows(source, where, response)
        registry = registry or any(_is_registry(name, labels) for name, labels in _series(part))
        rows.extend(r for r in part)
    if not registry:
        raise InputError(source, "", f"expected {samples.EXPECTED} (or container_* series of namespace "
                         f"{samples.REGISTRY_NAMESPACE}); this export has no registry series")
    return [(t, pod, name, labels, v) for t, pod, name, labels, v, _ in rows]


def _series(rows):
    return {(r[2], r[5]) for r in rows}


def _is_registry(name: str, namespace: str) -> bool:
    return samples.is_registry_metric(name) or (name.startswith("container_") and namespace == samples.REGISTRY_NAMESPACE)


def _response_rows(source: str, where: str, response) -> list[tuple]:
    if not isinstance(response, dict):
        raise InputError(source, where, f"expected a query_range response object, got {type(response).__name__}")
    if response.get("status") != "success":
        detail = f"{response.get('errorType', '')}: {response.get('error', '')}".strip(": ")
        raise InputError(source, f"{where}.status" if where else "status", f"expected \"success\", got "
                         f"{shown(response.get('status'))}" + (f" ({clipped(detail)})" if detail else ""))
    data = response.get("data")
    path = f"{where}.data" if where else "data"
    if not isinstance(data, dict) or data.get("resultType") != "matrix":
        got = data.get("resultType") if isinstance(data, dict) else data
        raise InputError(source, f"{path}.resultType", f"expected \"matrix\" (a query_range answer), got {shown(got)}")
    rows = []
    for j, series in enumerate(data.get("result") or []):
        rows.extend(_series_rows(source, f"{path}.result[{j}]", series))
    return rows


def _series_rows(source: str, path: str, series) -> list[tuple]:
    metric = series.get("metric", {}) if isinstance(series, dict) else None
    if not isinstance(metric, dict) or "__name__" not in metric:
        raise InputError(source, f"{path}.metric", "expected a series with __name__ (export raw series, or keep "
                         "__name__ in the aggregation)")
    for key, value in metric.items():  # the API's labels are map[string]string
        if not isinstance(value, str):
            raise InputError(source, f"{path}.metric.{key}", f"expected a label value (a string), got {shown(value)}")
    name, pod, namespace = metric["__name__"], metric.get("pod", ""), metric.get("namespace", "")
    labels = samples.labels_key({k: v for k, v in metric.items() if k != "pod" and k not in TARGET_LABELS})
    try:
        return [(float(t), pod, name, labels, float(v), namespace) for t, v in series.get("values", [])]
    except (TypeError, ValueError):
        raise InputError(source, f"{path}.values", "expected [[<unix seconds>, \"<value>\"], …]") from None
