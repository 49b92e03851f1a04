"""From observations of a registry (access log rows, metric samples) to the estimates of
the twin's parameters that the data identifies, and the names of those it does not.

Which figure comes from where:
* image pulls and pushes per second (`traffic.background.pulls|pushes`): successful
  manifest GETs and manifest PUTs per interval, from the access log (one per image pulled
  or pushed), or from the upstream registry's per-route request counters; the OpenShift
  registry's counters carry no route, so without its log the profile is not identified;
* layer sizes (`traffic.catalogue.layer_size`): the distinct blobs of successful blob GETs
  in the access log of at least `MIN_LAYER_BYTES` (smaller ones are taken for image
  configs, JSON of a few KB, which the twin sizes apart: a log cannot tell them from
  layers);
* one stream's bandwidth (`traffic.service.storage_stream_bandwidth`) and the storage
  `Reader` latency: blob GET durations against bytes (`streams.py`): the intercept, less
  the CPU per request, is the time to the first byte;
* CPU (`traffic.service.cpu`, `cpu_per_byte`): the registry's CPU per interval against
  its requests and body bytes (`demands.py`);
* storage latencies (`traffic.service.storage_latency`): the storage metrics (`storage.py`);
* the working set (`traffic.memory.working_set`): the lowest memory sample;
* per-kind delays (`traffic.service.delay`): low-load durations less CPU and storage
  (`delays.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from twin.calibration.arrivals import ArrivalFit, fit_arrivals
from twin.calibration.delays import fit_delays
from twin.calibration.demands import fit_cpu
from twin.calibration.estimate import Estimate
from twin.calibration.sizes import fit_layer_sizes
from twin.calibration.storage import Z99, default_sigma, fit_storage_latency
from twin.calibration.streams import first_byte_p99, fit_streams
from twin.model.registry.requests import Kind
from twin.model.registry.service import StorageOp
from twin.observed import rates

MIN_LAYER_BYTES = 16 * 2**10
BODY_BYTES = ("registry_http_response_size_bytes_sum", "registry_http_request_size_bytes_sum",
              "imageregistry_http_response_size_bytes_sum", "imageregistry_http_request_size_bytes_sum")
NOT_FROM_DATA = {
    "traffic.service.tls_handshake": "no registry metric or log counts new connections",
    "traffic.memory.request_overhead": "needs memory samples at several numbers of requests in flight (not fitted yet)",
    "traffic.storage (object-store ceilings)": "the data has no 503 Slow Down from the object store",
    "cluster.network (node links)": "no metric of the node's network in the inputs",
    "traffic.background.cached_layer_fraction": "the share of layers clients already hold needs the images' layer "
                                                "counts, which the data does not carry",
}


@dataclass
class Observation:
    requests: pd.DataFrame | None  # twin.observed.accesslog columns
    samples: pd.DataFrame | None  # twin.observed.samples columns
    sources: list[str] = field(default_factory=list)

    def window(self, start: float | None, end: float | None) -> Observation:
        def cut(df, column):
            if df is None:
                return None
            keep = np.ones(len(df), bool)
            if start is not None:
                keep &= df[column].to_numpy() >= start
            if end is not None:
                keep &= df[column].to_numpy() <= end
            return df[keep].reset_index(drop=True)
        return Observation(cut(self.requests, "time"), cut(self.samples, "time"), self.sources)

    def span(self) -> tuple[float, float]:
        times = [df["time"] for df in (self.requests, self.samples) if df is not None and len(df)]
        if not times:
            raise ValueError("no observation in the window")
        return float(min(t.min() for t in times)), float(max(t.max() for t in times))


@dataclass
class Calibration:
    span: tuple[float, float]
    interval: float
    pods: int
    pulls: ArrivalFit | Estimate
    pushes: ArrivalFit | Estimate
    layer_size: dict[str, Estimate]
    stream_bandwidth: Estimate
    cpu: dict[str, Estimate]
    storage_latency: dict[str, dict[str, Estimate]]
    working_set: Estimate
    delays: dict[str, dict[str, Estimate] | Estimate] = field(default_factory=dict)  # delay.<kind>: {median, p99}, or why not
    observed: dict = field(default_factory=dict)  # figures for the report: rates per interval, ...

    def not_identified(self) -> dict[str, str]:
        out = dict(NOT_FROM_DATA)
        for name, fit in (("pulls", self.pulls), ("pushes", self.pushes)):
            if isinstance(fit, Estimate):
                out[f"traffic.background.{name}"] = fit.why
        for name, estimate in (("layer_size.median", self.layer_size["median"]), ("layer_size.sigma", self.layer_size["sigma"])):
            if not estimate.identified:
                out[f"traffic.catalogue.{name}"] = estimate.why
        if not self.stream_bandwidth.identified:
            out["traffic.service.storage_stream_bandwidth"] = self.stream_bandwidth.why
        for name, estimate in self.cpu.items():
            if not estimate.identified and not name.endswith("_by_kind"):
                out[f"traffic.service.{name}"] = estimate.why
        if "cpu.all" not in self.cpu:
            for kind in Kind:
                if f"cpu.{kind.name.lower()}" not in self.cpu:
                    out[f"traffic.service.cpu.{kind.name.lower()}"] = f"no {kind.name.lower()} request in the data"
        for op in StorageOp:
            if op.name not in self.storage_latency:
                out[f"traffic.service.storage_latency.{op.name}"] = ("the storage metrics saw no such call in the "
                                                                     "window (or fewer than 20)")
        if not self.working_set.identified:
            out["traffic.memory.working_set"] = self.working_set.why
        if not any(isinstance(e, dict) for e in self.delays.values()):
            out["traffic.service.delay"] = "needs access-log durations of at least 20 requests of a kind at low load"
        for name, e in sorted(self.delays.items()):
            if isinstance(e, Estimate):
                out[f"traffic.service.{name}"] = e.why
        return out


def calibrate(observation: Observation, interval: float = 60.0, seed: int = 0) -> Calibration:
    span = observation.span()
    requests, samples = observation.requests, observation.samples
    pods = int(samples["pod"].nunique()) if samples is not None and len(samples) else 1
    pulls = _arrivals(requests, samples, "manifest_get", span, interval)
    pushes = _arrivals(requests, samples, "manifest_put", span, interval)
    layer_size, stream, first_byte, first_byte_tail = _blobs(requests, seed)
    cpu = _cpu(samples, seed)
    storage = fit_storage_latency(samples) if samples is not None else {}
    if "Reader" not in storage and first_byte.identified:
        storage["Reader"] = reader_latency(first_byte, first_byte_tail, cpu.get("cpu_per_request"))
    delays = fit_delays(requests, interval, cpu, storage, seed) if requests is not None and len(requests) else {}
    return Calibration(span, interval, pods, pulls, pushes, layer_size, stream, cpu, storage, _working_set(samples),
                       delays)


def _arrivals(requests, samples, kind: str, span, interval: float) -> ArrivalFit | Estimate:
    if requests is not None and len(requests):
        ok = requests[(requests["kind"] == kind) & (requests["status"] // 100 == 2)]
        if ok.empty:
            return Estimate.unidentified(f"no successful {kind} in the access log")
        edges = np.arange(span[0], span[1] + interval, interval)
        counts = np.histogram(ok["time"].to_numpy(), edges)[0]
        return fit_arrivals(edges[:-1] - span[0], counts, interval)
    if samples is not None and len(samples):
        per = rates.request_rates(samples)
        per = per[(per["kind"] == kind) & (per["code"].astype(str).str.startswith("2"))]
        if per.empty:
            return Estimate.unidentified(f"no {kind} counted by route: the OpenShift registry's request metrics "
                                         f"carry only the method; give its access log")
        by = per.groupby("start", as_index=False).agg(end=("end", "first"), increase=("increase", "sum"))
        width = float(np.median(by["end"] - by["start"]))
        return fit_arrivals(by["start"].to_numpy() - span[0], by["increase"].to_numpy(), width)
    return Estimate.unidentified("neither an access log nor request metrics")


def _blobs(requests, seed: int) -> tuple[dict[str, Estimate], Estimate, Estimate, Estimate]:
    if requests is None or not len(requests):
        why = Estimate.unidentified("no access log")
        return {"median": why, "sigma": why}, why, why, why
    blobs = requests[(requests["kind"] == "blob_get") & (requests["status"] == 200) & (requests["bytes_written"] > 0)]
    distinct = blobs.drop_duplicates("path")["bytes_written"].to_numpy()
    nbytes, seconds = blobs["bytes_written"].to_numpy(), blobs["duration_seconds"].to_numpy()
    stream, first_byte = fit_streams(nbytes, seconds, seed)
    return (fit_layer_sizes(distinct[distinct >= MIN_LAYER_BYTES]), stream, first_byte,
            first_byte_p99(nbytes, seconds, stream))


def reader_latency(first_byte: Estimate, tail: Estimate, cpu: Estimate | None) -> dict[str, Estimate]:
    """The storage `Reader` call from the time to a streamed blob's first byte, less the
    request's CPU: its median from the median, its p99 from the 99th percentile (or, when
    the data has too few blobs for one, the twin's default spread for `Reader`)."""
    spent = cpu.value if cpu is not None and cpu.identified else 0.0
    median = max(first_byte.value - spent, first_byte.value * 0.1)
    scale = median / first_byte.value if first_byte.value else 1.0
    how = "blob GET time to first byte less the CPU per request"
    median_estimate = Estimate(median, first_byte.low * scale, first_byte.high * scale, how)
    if tail.identified and tail.value - spent > median:
        p99 = Estimate(tail.value - spent, max(tail.low - spent, median), tail.high - spent, how + " (99th percentile)")
    else:
        spread = np.exp(Z99 * default_sigma("Reader"))
        p99 = Estimate(median * spread, first_byte.low * scale * spread, first_byte.high * scale * spread,
                       how + "; p99 with the twin's default spread")
    return {"median": median_estimate, "p99": p99}


def _cpu(samples, seed: int) -> dict[str, Estimate]:
    if samples is None or not len(samples):
        return {"cpu_per_request": Estimate.unidentified("no metrics"), "cpu_per_byte": Estimate.unidentified("no metrics")}
    cores = rates.cpu_cores(samples)
    if cores.empty:
        why = "no CPU series (process_cpu_seconds_total or container_cpu_usage_seconds_total)"
        return {"cpu_per_request": Estimate.unidentified(why), "cpu_per_byte": Estimate.unidentified(why)}
    per = rates.request_rates(samples)
    per["kind"] = per["kind"].where(per["kind"] != "", "all")
    counts = per.pivot_table(index=["pod", "start", "end"], columns="kind", values="increase", aggfunc="sum", fill_value=0)
    body = rates.increases(samples, BODY_BYTES).groupby(["pod", "start", "end"])["increase"].sum()
    cpu = cores.groupby(["pod", "start", "end"])["cores"].sum()
    index = counts.index.intersection(cpu.index)
    kinds = [k for k in counts.columns if k != "other"]
    seconds = np.array([end - start for _, start, end in index])
    return fit_cpu(cpu.loc[index].to_numpy() * seconds, counts.loc[index, kinds].to_numpy(),
                   body.reindex(index, fill_value=0).to_numpy(), kinds, seed, seconds=seconds)


def _working_set(samples) -> Estimate:
    if samples is None or not len(samples):
        return Estimate.unidentified("no metrics")
    memory = rates.memory(samples)
    if memory.empty:
        return Estimate.unidentified("no memory series (process_resident_memory_bytes or container_memory_working_set_bytes)")
    lowest = float(memory["bytes"].min())
    return Estimate(lowest, lowest, float(memory["bytes"].quantile(0.1)), "the lowest memory sample; interval to its 10th percentile")
