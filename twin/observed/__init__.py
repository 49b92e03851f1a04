"""Observations of a real registry, read into tidy pandas frames for calibration.

Pure readers (no simulation): what a planner can export from a cluster or a registry.

* `accesslog`: the registry's request log lines, one row per request (`read_access_log`):
  distribution's logrus application log (JSON or text formatter, "response completed"
  lines; the OpenShift registry's own "response" access-log lines) and gorilla/handlers'
  Apache combined access log.
* `exposition`: Prometheus text exposition files, one row per sample (`read_scrapes`).
* `queryrange`: Prometheus HTTP API `query_range` JSON exports, the same frame
  (`read_query_range`).
* `rates`: per-interval series derived from either metrics frame (request rates, mean
  durations, histogram quantiles, in-flight, CPU cores, memory), counter resets handled as
  PromQL `rate()` does.

Errors are `twin.errors.InputError` naming the file, where in it (`line 17`, `[2].data`)
and what was expected. How to export these from a cluster: `docs/calibration.md`.
"""

import importlib

_READERS = {"read_access_log": "accesslog", "read_exposition": "exposition", "read_scrapes": "exposition",
            "read_query_range": "queryrange"}
__all__ = list(_READERS)


def __getattr__(name: str):
    """The readers, imported when first asked for (PEP 562): the simulation imports
    `observed.replay` and so this package, and needs neither pandas nor prometheus_client."""
    if name in _READERS:
        return getattr(importlib.import_module(f"twin.observed.{_READERS[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
