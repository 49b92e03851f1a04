"""Field types shared by the scenario schema's sections: durations, bandwidths, counts
and seeds within the ranges Kubernetes and Go give them (`twin.model.bounds`,
docs/limits.md), and the strict, frozen base model (unknown fields rejected)."""

from __future__ import annotations

import math
import re
from typing import Annotated, Any

import difflib

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from twin.model.bounds import INT32_MAX, MAX_SECONDS, SEED_MAX, Int32, Seed, int32, seed  # noqa: F401 (re-exported)
from twin.model.quoting import shown
from twin.model.registry.duration import DurationOverflow, parse_go_duration
from twin.model.registry.resources.nodes import DEFAULT_INSTANCE_TYPE, INSTANCE_TYPES

NonNegativeInt32 = Annotated[Int32, Field(ge=0)]
"""A count: replicas, copies, workers, pods (int32 in the Kubernetes API, >= 0)."""


def seconds(value: Any) -> float:
    """A duration: a number of seconds, or Go-style text such as 90s, 10m, 1h30m; at most
    Go's time.Duration (int64 nanoseconds, about 292 years) either way."""
    if isinstance(value, bool):
        raise ValueError(f"expected a duration such as 90s, 10m or 1h30m, got {shown(value)}")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"expected a finite number of seconds, got {shown(value)}")
        if value < 0:
            raise ValueError(f"expected a duration that is not negative, got {shown(value)}")
        if value > MAX_SECONDS:
            raise ValueError(f"expected at most {MAX_SECONDS:.0f} seconds (Go's time.Duration, int64 nanoseconds, "
                             f"about 292 years), got {shown(value)}")
        return float(value)
    try:
        nanos = parse_go_duration(value)
    except DurationOverflow as error:
        raise ValueError(str(error)) from None
    except ValueError:
        raise ValueError(f"expected a duration such as 90s, 10m or 1h30m, got {shown(value)}") from None
    if nanos < 0:
        raise ValueError(f"expected a duration that is not negative, got {shown(value)}")
    return nanos / 1e9


Seconds = Annotated[float, BeforeValidator(seconds)]


def bandwidth(value: Any) -> float:
    """Bytes per second from a bandwidth with its unit: 1.25Gbit/s, 10Gbps, 500Mbit/s,
    156MB/s, 1.2GB/s. A bare number is refused: EC2 publishes bits, S3 guidance bytes."""
    match = _BANDWIDTH.fullmatch(value.strip()) if isinstance(value, str) and len(value) <= 100 else None
    if match is None:
        raise ValueError(f"expected a bandwidth with its unit (k, M or G and bit/s, bps, b/s or B/s), such as "
                         f"1.25Gbit/s or 156MB/s, got {shown(value)}")
    amount, prefix, unit = float(match.group(1)), match.group(2), match.group(3)
    scale = {"G": 1e9, "M": 1e6, "k": 1e3}[prefix] / (1 if unit == "B/s" else 8)
    if not amount > 0:
        raise ValueError(f"expected a bandwidth > 0, got {shown(value)}")
    if not math.isfinite(amount * scale):
        raise ValueError(f"expected a finite bandwidth, got {shown(value)}")
    return amount * scale


_BANDWIDTH = re.compile(r"([+-]?[0-9]+(?:\.[0-9]+)?)\s*(G|M|k)(bit/s|bps|b/s|B/s)")
Bandwidth = Annotated[float, BeforeValidator(bandwidth)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def instance_type_expected(kind: str) -> str:
    """What an instance type the table does not know is told: the table's size and
    where it is (the list is too long for one line), and the closest names."""
    close = difflib.get_close_matches(kind, INSTANCE_TYPES, n=3, cutoff=0.85)
    return (f"expected an EC2 instance type the twin knows ({len(INSTANCE_TYPES)} types such as {DEFAULT_INSTANCE_TYPE}, "
            f"in twin/model/registry/resources/instance_types.py), got {shown(kind)}"
            + (f" (close: {', '.join(close)})" if close else ""))


def known_instance_type(value: str) -> str:
    if value not in INSTANCE_TYPES:
        raise ValueError(instance_type_expected(value))
    return value


InstanceType = Annotated[str, AfterValidator(known_instance_type)]
"""An EC2 instance type of the twin's table (`model/registry/resources/instance_types.py`)."""
