"""What `twin calibrate` writes: the calibrated `traffic:` section (each identified
estimate in the twin's units), the scenario it goes into (a base scenario's, or a
minimal one), the header that names every estimate with its 95 % interval and every
parameter the data did not identify, and the machine-readable document
(`calibration.json`).

Profile times count from the start of the calibration window; the twin's background
load starts after `warm_up`, so step times and a daily peak are shifted by it.
"""

from __future__ import annotations

import copy

import yaml

from twin.calibration.arrivals import ArrivalFit
from twin.calibration.calibrate import Calibration
from twin.calibration.estimate import Estimate
from twin.model.registry.requests import Kind
from twin.scenarios.fields import seconds

DEFAULT_WARM_UP = 120.0


def profile_section(fit: ArrivalFit, warm_up: float) -> dict:
    chosen = fit.chosen
    if chosen.kind == "constant":
        return {"constant": _round(chosen.estimates["rate"].value)}
    if chosen.kind == "steps":
        return {"steps": [{"at": f"{warm_up + at:g}s", "rate": _round(e.value)} for at, e in chosen.steps]}
    e = chosen.estimates
    return {"diurnal": {"mean": _round(e["mean"].value), "amplitude": round(min(e["amplitude"].value, 1.0), 4),
                        "period": "24h", "peak_at": f"{(warm_up + e['peak_at'].value) % 86400:.0f}s"}}


def traffic_section(c: Calibration, warm_up: float) -> dict:
    traffic: dict = {}
    background = {name: profile_section(fit, warm_up) for name, fit in (("pulls", c.pulls), ("pushes", c.pushes))
                  if isinstance(fit, ArrivalFit)}
    if background:
        traffic["background"] = background
    if c.layer_size["median"].identified:
        traffic["catalogue"] = {"layer_size": {"median": int(c.layer_size["median"].value),
                                               "sigma": round(c.layer_size["sigma"].value, 4)}}
    service = _service(c)
    if service:
        traffic["service"] = service
    if c.working_set.identified:
        traffic["memory"] = {"working_set": int(c.working_set.value)}
    return traffic


def _service(c: Calibration) -> dict:
    service: dict = {}
    common = c.cpu.get("cpu_per_request", Estimate.unidentified(""))
    every_kind = "cpu.all" in c.cpu  # counters without routes (the OpenShift registry): the mix is unknown
    cpu = {}
    for kind in Kind:
        own = c.cpu.get(f"cpu.{kind.name.lower()}")
        if own is not None and own.identified:
            cpu[kind.name.lower()] = _round(own.value)
        elif common.identified and (every_kind or own is not None):
            cpu[kind.name.lower()] = _round(common.value)  # seen in the data, not separable: the common demand
    if cpu:
        service["cpu"] = cpu
    per_byte = c.cpu.get("cpu_per_byte")
    if per_byte is not None and per_byte.identified:
        service["cpu_per_byte"] = _round(per_byte.value)
    if c.storage_latency:
        service["storage_latency"] = {op: {"median": _round(e["median"].value), "p99": _round(e["p99"].value)}
                                      for op, e in sorted(c.storage_latency.items())}
    if c.stream_bandwidth.identified:
        service["storage_stream_bandwidth"] = f"{c.stream_bandwidth.value / 1e6:.4g}MB/s"
    delays = {name.removeprefix("delay."): {"median": f"{e['median'].value * 1e3:.4g}ms", "p99": f"{e['p99'].value * 1e3:.4g}ms"}
              for name, e in sorted(c.delays.items()) if isinstance(e, dict) and e["median"].value > 0}
    if delays:
        service["delay"] = delays
    return service


def _round(value: float) -> float:
    return float(f"{value:.4g}")


def scenario(c: Calibration, base: dict | None, name: str) -> dict:
    """The base scenario with its traffic section updated, or a minimal scenario: the
    ROSA default cluster and Config with the observed number of registry pods."""
    if base is not None:
        document = copy.deepcopy(base)
        warm_up = _warm_up(document)
    else:
        warm_up = DEFAULT_WARM_UP
        document = {"name": name, "description": "Calibrated by `twin calibrate` (see the header).", "seed": 1,
                    "duration": f"{warm_up + c.span[1] - c.span[0]:.0f}s",
                    "registry": {"config": {"spec": {"replicas": c.pods, "managementState": "Managed",
                                                     "storage": {"s3": {}}}}},
                    "invariants": [{"name": "request_conservation"}, {"name": "resource_bounds"}]}
    traffic = document.setdefault("traffic", {})
    for key, section in traffic_section(c, warm_up).items():
        if isinstance(section, dict) and isinstance(traffic.get(key), dict):
            traffic[key] = _merged(traffic[key], section)
        else:
            traffic[key] = section
    return document


def _merged(old: dict, new: dict) -> dict:
    out = dict(old)
    for key, value in new.items():
        out[key] = _merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def _warm_up(document: dict) -> float:
    value = document.get("traffic", {}).get("warm_up")
    return DEFAULT_WARM_UP if value is None else seconds(value)


def header(c: Calibration, sources: list[str]) -> str:
    lines = ["Calibrated by `twin calibrate` from:", *(f"  {s}" for s in sources),
             f"Window: {c.span[1] - c.span[0]:.0f} s, intervals of {c.interval:g} s, {c.pods} registry pod(s).",
             "Estimates (95 % intervals; calibration.json has every figure):"]
    lines += [f"  {name}: {_text(e)}" for name, e in estimates(c).items()]
    lines += ["Not identified by this data (left at the twin's defaults):"]
    lines += [f"  {name}: {why}" for name, why in c.not_identified().items()]
    return "".join(f"# {line}\n" for line in lines)


def _text(e: Estimate) -> str:
    interval = "" if e.low is None else f" [{e.low:.4g}, {e.high:.4g}]"
    return f"{e.value:.4g}{interval} ({e.method})"


def estimates(c: Calibration) -> dict[str, Estimate]:
    out: dict[str, Estimate] = {}
    for name, fit in (("pulls", c.pulls), ("pushes", c.pushes)):
        if isinstance(fit, ArrivalFit):
            chosen = fit.chosen
            for key, e in chosen.estimates.items():
                out[f"traffic.background.{name}.{chosen.kind}.{key}"] = e
            for at, e in chosen.steps:
                out[f"traffic.background.{name}.steps[at {at:g}s].rate"] = e
    for key, e in c.layer_size.items():
        if e.identified:
            out[f"traffic.catalogue.layer_size.{key}"] = e
    if c.stream_bandwidth.identified:
        out["traffic.service.storage_stream_bandwidth (bytes/s)"] = c.stream_bandwidth
    for key, e in c.cpu.items():
        if e.identified and key == "idle_cores":
            out["registry idle cores (not a twin parameter: add them to the node's other usage)"] = e
        elif e.identified and not key.endswith("_by_kind"):
            out[f"traffic.service.{key} (core-seconds)"] = e
    for op, pair in sorted(c.storage_latency.items()):
        for key, e in pair.items():
            out[f"traffic.service.storage_latency.{op}.{key} (s)"] = e
    for name, pair in sorted(c.delays.items()):
        for key, e in pair.items() if isinstance(pair, dict) else ():
            out[f"traffic.service.{name}.{key} (s)"] = e
    if c.working_set.identified:
        out["traffic.memory.working_set (bytes)"] = c.working_set
    return out


def document(c: Calibration, sources: list[str]) -> dict:
    arrivals = {}
    for name, fit in (("pulls", c.pulls), ("pushes", c.pushes)):
        if isinstance(fit, ArrivalFit):
            arrivals[name] = {"chosen": fit.chosen.kind, "criterion": "BIC (smallest wins)",
                              "candidates": {f.kind: {"bic": round(float(f.bic), 3), "parameters": f.parameters,
                                                      "log_likelihood": round(float(f.log_likelihood), 3)}
                                             for f in fit.candidates},
                              "not_tried": fit.skipped}
    return {"sources": sources, "window": {"start": c.span[0], "end": c.span[1], "interval": c.interval},
            "pods": c.pods, "arrivals": arrivals,
            "estimates": {name: e.document() for name, e in estimates(c).items()},
            "not_identified": c.not_identified()}


def scenario_text(c: Calibration, base: dict | None, name: str, sources: list[str]) -> str:
    return header(c, sources) + "\n" + yaml.safe_dump(scenario(c, base, name), sort_keys=False)
