"""The metrics frame both readers return, and what makes a series the registry's.

Columns: `time` (float seconds: the scrape time, or Prometheus' sample time), `pod`
(str, "" when unknown), `metric` (the sample name as exposed: `…_total`, `…_bucket`,
`…_sum`, `…_count`), `labels` (a sorted tuple of (name, value) pairs, without
`__name__`; hashable, so it groups), `value` (float). `label(frame, name)` reads one label
as a column.

Registry families: the upstream Go registry's `registry_*` (distribution
`metrics/prometheus.go` namespace "registry": `registry_http_*` from
`docker/go-metrics` with labels {handler, method, code}, `registry_storage_action_seconds`
{driver, action}) and the OpenShift registry's `imageregistry_*`
(`spec/registry-operator.md` §5, `twin/model/registry/metrics.py`). Process and container
series (`process_cpu_seconds_total`, `process_resident_memory_bytes`,
`container_cpu_usage_seconds_total`, `container_memory_working_set_bytes`) are kept and
used by `rates.py`, but alone they do not make a registry's export.
"""

from __future__ import annotations

import pandas as pd

COLUMNS = ("time", "pod", "metric", "labels", "value")
REGISTRY_PREFIXES = ("registry_", "imageregistry_")
REGISTRY_NAMESPACE = "openshift-image-registry"
EXPECTED = ("registry metrics: registry_http_requests_total, registry_http_request_duration_seconds, … (the "
            "upstream registry) or imageregistry_http_requests_total, imageregistry_http_request_duration_seconds, … "
            "(the OpenShift registry)")


def is_registry_metric(name: str) -> bool:
    return name.startswith(REGISTRY_PREFIXES)


def labels_key(labels: dict[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, v) for k, v in labels.items() if k != "__name__"))


def frame(rows: list[tuple]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=list(COLUMNS))
    df["time"] = df["time"].astype(float)
    df["value"] = df["value"].astype(float)
    return df.sort_values(["pod", "metric", "time"], kind="stable", ignore_index=True)


def label(df: pd.DataFrame, name: str) -> pd.Series:
    """One label of every row ("" when the row lacks it)."""
    codes, uniques = pd.factorize(df["labels"], use_na_sentinel=False)
    values = [dict(u).get(name, "") for u in uniques]
    return pd.Series([values[c] for c in codes], index=df.index, dtype=object)
