"""Magnitudes as Kubernetes and Go bound them, for the field types of every schema
(scenario files, the registry Config, manifests). docs/limits.md lists them with their
sources.

* Counts (replicas, maxRunning, maxPods ...) are `int32` in the Kubernetes and OpenShift
  APIs (`apps/v1` `DeploymentSpec.Replicas *int32`, `imageregistry/v1`
  `ImageRegistrySpec.Replicas int32`): `Int32`, or `NonNegativeInt32` for a count.
* Seeds are `uint32` (0 .. 2**32 - 1): a run's seed becomes the entropy of
  `numpy.random.SeedSequence` (which takes any non-negative integer), the catalogue's goes
  to `numpy.random.default_rng`, and runs.parquet stores them as int64; uint32 is the
  range every consumer, numpy's legacy `RandomState` included, takes as it is, and a
  sweep's seeds s .. s+N-1 stay far inside int64.
* Durations are Go `time.Duration`s, int64 nanoseconds (`duration.py`); a number of
  seconds is held to the same range.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator

from twin.errors import InputError
from twin.model.quoting import shown

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
SEED_MAX = 2**32 - 1
MAX_DURATION_NS = INT64_MAX
MAX_SECONDS = MAX_DURATION_NS / 1e9  # 9223372036.854776 s, about 292 years


def int32(value: Any) -> Any:
    """An integer within int32 (other types are left to the field's own type check)."""
    if isinstance(value, int) and not isinstance(value, bool) and not INT32_MIN <= value <= INT32_MAX:
        raise ValueError(f"expected an int32 (at most {INT32_MAX}, as the Kubernetes API stores it), "
                         f"got {shown(value)}")
    return value


def seed(value: Any) -> Any:
    """A seed: a whole number 0 .. 2**32 - 1."""
    if isinstance(value, int) and not isinstance(value, bool) and not 0 <= value <= SEED_MAX:
        raise ValueError(f"expected a seed from 0 to {SEED_MAX} (uint32), got {shown(value)}")
    return value


Int32 = Annotated[int, BeforeValidator(int32)]
Seed = Annotated[int, BeforeValidator(seed)]


def check_seed(value: int, source: str, path: str = "") -> int:
    """A seed given on the command line (`--seed`): an `InputError` naming the flag when it
    is outside 0 .. 2**32 - 1."""
    try:
        return seed(value)
    except ValueError as error:
        raise InputError(source, path, str(error)) from None


MIN_SCRAPE_INTERVAL = 0.001
"""Seconds: Prometheus' `scrape_interval` is a `model.Duration`, whose smallest unit is the
millisecond (and so are sample timestamps and the scrape files' `t<ms>ms.prom` names); a
nanosecond interval would have the run scrape for ever."""

MAX_NODES = 5000
"""Kubernetes supports clusters of at most 5,000 nodes and 150,000 pods (kubernetes.io,
"Considerations for large clusters"): a generated cluster or a workload beyond them is
refused before anything is built (2e9 workers would exhaust memory)."""
MAX_PODS = 150_000
