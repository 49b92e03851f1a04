"""The run summary: the `summary.json` document, the events table and the text a person
reads (key events on a timeline, each invariant's verdict, recovery time)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

import numpy as np

from twin.analysis.autoscaling import autoscaler_kpis
from twin.analysis.kpis import kpis
from twin.analysis.pools import pool_lines
from twin.analysis.resources import resource_lines
from twin.analysis.spread import descheduler_lines
from twin.invariants import Verdict

if TYPE_CHECKING:
    import pandas as pd

TIMELINE_KINDS = ("PrunerJobStarted", "PrunerJobFinished", "Fault", "ZoneState", "RegistryReady", "OperatorCondition", "DeploymentProgressing", "Eviction",
                  "DrainStarted", "DrainCompleted", "NodeCordoned", "NodeUncordoned", "OperandApplied", "StorageRemoved",
                  "ScaleUp", "ScaleUpFailed", "ScaleDown", "ScaleDownFailed", "NodeDeletedByAutoscaler")


def summary_document(name: str, seed: int, openshift: str, duration: float, records: Sequence,
                     verdicts: list[Verdict], requests: dict | None = None, resources: dict | None = None) -> dict:
    """`requests`: the request-level KPIs (`analysis.requests.request_kpis`); `resources`:
    what the pods, links and object store did (`analysis.resources.resource_kpis`)."""
    document = {
        "scenario": name,
        "seed": seed,
        "openshift": openshift,
        "simulated_seconds": float(duration),
        "invariants": [v.as_dict() for v in verdicts],
        "kpis": kpis(records, duration),
    }
    if requests is not None:
        document["requests"] = requests
    if resources is not None:
        document["resources"] = resources
    autoscaling = autoscaler_kpis(records)
    if autoscaling is not None:
        document["autoscaler"] = autoscaling
    return document


def summary_json(document: dict) -> str:
    return json.dumps(document, indent=2, sort_keys=True) + "\n"


def events_frame(records: Sequence, memo: dict | None = None) -> pd.DataFrame:
    """`memo`: JSON texts of large detail values by object, for values many records
    share (`details_json`)."""
    import pandas as pd

    memo = {} if memo is None else memo
    rows = [{"time": r.time, "seq": r.seq, "kind": r.kind, "subject": r.subject,
             "details": details_json(r.details, memo)} for r in records]
    return pd.DataFrame(rows, columns=["time", "seq", "kind", "subject", "details"])


EVENTS_CHUNK = 256  # records per piece of events.csv (one diagnosis over 500 nodes is ~40 kB)
MEMO_SIZE = 16  # encoded shared values kept (records sharing one are made one after the other)
SHARED = 64  # detail values at least this long (a diagnosis over every node) are encoded once per object


def events_csv_chunks(records: Sequence) -> Iterator[bytes]:
    """events.csv as UTF-8 in pieces of `EVENTS_CHUNK` records, so that it is never held
    whole: the text of `events_frame(records).to_csv(index=False, lineterminator="\n")`,
    formatted as pandas does (numpy's `astype(str)` for the time and seq columns, the
    csv module with minimal quoting), with a shared details text quoted and encoded once
    and handed on as it is (a diagnosis over 500 nodes is ~40 kB, 30,000 records may
    share a few of them: no copy per record)."""
    memo: dict = {}
    yield b"time,seq,kind,subject,details\n"
    for start in range(0, len(records), EVENTS_CHUNK):
        yield from _csv_pieces(records[start:start + EVENTS_CHUNK], memo)


def _csv_pieces(chunk: Sequence, memo: dict) -> Iterator[bytes]:
    times = np.array([r.time for r in chunk], dtype=np.float64).astype(str)
    seqs = np.array([r.seq for r in chunk], dtype=np.int64).astype(str)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for r, time, seq in zip(chunk, times.tolist(), seqs.tolist()):
        text, quoted = _details_csv(r.details, memo)
        if quoted is None:
            writer.writerow((time, seq, r.kind, r.subject, text))
        else:  # the row with an empty last field, whose line end gives way to the quoted text
            writer.writerow((time, seq, r.kind, r.subject, ""))
            yield out.getvalue()[:-1].encode("utf-8")
            yield quoted
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")


QUOTED = ('"', ",", "\r", "\n")  # what makes the csv module quote a field (QUOTE_MINIMAL)


def _details_csv(details: dict, memo: dict) -> tuple[str, bytes | None]:
    """The details JSON and, for a text shared by many records (a large value alone
    decides: see `details_json`), its quoted CSV field with the line's end, encoded, made
    once per text."""
    text = details_json(details, memo)
    if len(text) < 4096 or not any(c in text for c in QUOTED):
        return text, None
    key = ("csv", text)
    quoted = memo.get(key)
    if quoted is None:
        quoted = memo[key] = ('"' + text.replace('"', '""') + '"\n').encode("utf-8")
    return text, quoted


def details_json(details: dict, memo: dict) -> str:
    """`json.dumps(details, sort_keys=True)`; a value of `SHARED` or more entries is
    encoded once per object while in `memo` (kept there with the object, so that its id
    stays its own; at most `MEMO_SIZE` of them)."""
    if not all(isinstance(key, str) for key in details):
        return json.dumps(details, sort_keys=True)
    parts = []
    for key in sorted(details):
        value = details[key]
        if isinstance(value, dict | list) and len(value) >= SHARED:
            held = memo.get(id(value))
            if held is None:
                if len(memo) >= MEMO_SIZE:
                    memo.clear()
                held = memo[id(value)] = (value, json.dumps(value, sort_keys=True))
            text = held[1]
        else:
            text = json.dumps(value, sort_keys=True)
        parts.append(f"{json.dumps(key)}: {text}")
    return "{" + ", ".join(parts) + "}"


def summary_text(document: dict, records: Sequence) -> str:
    lines = [f"scenario {document['scenario']} (OpenShift {document['openshift']}, seed {document['seed']}, "
             f"{document['simulated_seconds'] / 60:.0f} min simulated)", "", "timeline:"]
    lines += [_event_line(r) for r in _timeline(records)]
    lines += ["", "invariants:"]
    lines += [f"  {'holds' if v['holds'] else 'FAILS'}  {v['name']}: {v['detail']}" for v in document["invariants"]]
    figures = document["kpis"]
    recovery = figures["registry_recovery_seconds"]
    lines += ["", "kpis:", f"  registry recovery: {'n/a' if recovery is None else f'{recovery:.0f} s'}"]
    lines += [f"  {key}: {value}" for key, value in figures.items() if key != "registry_recovery_seconds"]
    if "pools" in document:
        lines += ["", "machine pools (node-hours from registration):", *pool_lines(document["pools"])]
    if "descheduler" in document:
        lines += descheduler_lines(document)
    if "autoscaler" in document:
        lines += ["", "autoscaler:", *(f"  {key}: {value}" for key, value in document["autoscaler"].items())]
    if "requests" in document and document["requests"]["issued"]:
        lines += ["", "requests:", *request_lines(document["requests"])]
    elif "requests" in document:
        lines += ["", "requests: none (no traffic section and no image from the registry)"]
    if "resources" in document and document.get("requests", {}).get("issued"):
        lines += ["", "resources:", *resource_lines(document["resources"])]
    return "\n".join(lines)


def request_lines(r: dict) -> list[str]:
    """The request KPIs a planner reads first."""
    o = r["outcomes"]
    lines = [f"  issued {r['issued']}: ok {o['ok']}, redirected {o['redirect']}, 4xx {o['client_error']}, "
             f"429 {o['too_many']}, 405 {o['not_allowed']}, 500 {o['server_error']}, 503 {o['unavailable']}, "
             f"failed {o['failed']}, open at end {r['open_at_end']}",
             f"  429: {r['rejected_429_fraction']:.2%} of requests, peak {r['peak_429_per_second']}/s; per pod peaks: "
             f"running read {r['max_running']['read']} write {r['max_running']['write']}, "
             f"queued read {r['max_queued']['read']} write {r['max_queued']['write']}"]
    for kind, q in r["latency_seconds"].items():
        lines.append(f"  {kind}: p50 {q['p50'] * 1000:.1f} ms, p99 {q['p99'] * 1000:.1f} ms ({q['requests']} answered)")
    if len(r["phases"]) > 1:
        lines.append("  by phase (cut at the faults): 429 / answered, p99 manifest GET, p99 blob GET")
        lines += [_phase_line(phase) for phase in r["phases"]]
    p = r["pulls"]
    if p["pulls"]:
        lines.append(f"  image pulls at pod start: {p['pulls']}, p50 {p['p50_seconds']} s, p99 {p['p99_seconds']} s, "
                     f"max {p['max_seconds']} s, {p['failed_attempts']} failed attempt(s)")
    lines += [f"  {label}: {text}" for label, text in session_rows(r)]
    if r.get("latency_knee") is not None:
        lines.append(f"  latency bends at {knee_text(r['latency_knee'])}")
    if r["workloads_recovery_seconds"] is not None:
        lines.append(f"  workloads Ready again {r['workloads_recovery_seconds']:.0f} s after the zone outage")
    return lines


SESSION_NAMES = {"pull": "background pulls", "push": "pushes and builds (a build pulls its base, then pushes)",
                 "kubelet": "kubelet pulls", "prune": "pruner DELETE batches"}


def session_rows(r: dict) -> list[tuple[str, str]]:
    """Whole pulls and pushes per client, as (what, figures) rows."""
    rows = []
    for client, q in r.get("sessions", {}).items():
        timing = f", p50 {q['p50_seconds']} s, p99 {q['p99_seconds']} s" if q["ok"] else ""
        each = "one run's DELETEs each" if client == "prune" else "one image each"
        rows.append((f"{SESSION_NAMES.get(client, client)} ({each}, as the client saw it)",
                     f"{q['ok']:,} ok, {q['failed']:,} failed{timing}"))
    return rows


def knee_text(knee: dict) -> str:
    """Where latency bent (`requests.latency_knee` of summary.json)."""
    return (f"{knee['at_seconds'] / 60:.1f} min: p99 manifest GET {knee['p99_seconds'] * 1000:.0f} ms "
            f"(was {knee['baseline_p99_seconds'] * 1000:.0f} ms) at {knee['answered_per_second']:,.0f} answered/s")


def _phase_line(phase: dict) -> str:
    o = phase["outcomes"]
    answered = o["ok"] + o["redirect"] + o["not_allowed"] + o["too_many"] + o["unavailable"]
    p99 = {k: phase["latency_seconds"].get(k, {}).get("p99") for k in ("manifest_get", "blob_get")}
    shown = {k: "n/a" if v is None else f"{v * 1000:.0f} ms" for k, v in p99.items()}
    return (f"    {phase['from'] / 60:5.1f}-{phase['to'] / 60:5.1f} min: {o['too_many']} / {answered}, "
            f"{shown['manifest_get']}, {shown['blob_get']}")


def _timeline(records: Sequence) -> list:
    shown, last_failure = [], {}
    for r in records:
        if r.kind in TIMELINE_KINDS:
            shown.append(r)
        elif r.kind == "SchedulingFailed" and r.subject.startswith("openshift-image-registry/image-registry"):
            if last_failure.get(r.subject) != r.details["message"]:
                last_failure[r.subject] = r.details["message"]
                shown.append(r)
    return shown


def _event_line(r) -> str:
    minutes, seconds = divmod(r.time, 60)
    text = {
        "Fault": lambda: f"fault {r.subject} {_fields(r.details)}",
        "RegistryReady": lambda: f"registry Ready replicas: {r.details['ready']}",
        "OperatorCondition": lambda: f"operator {r.subject}={r.details['status']} ({r.details['reason']})",
        "DeploymentProgressing": lambda: f"{r.subject} Progressing={r.details['status']} ({r.details['reason']})",
        "SchedulingFailed": lambda: f"{r.subject} Pending: {r.details['message']}",
        "Eviction": lambda: f"eviction of {r.subject}: {r.details['code']}",
        "ZoneState": lambda: f"zone {r.subject}: {r.details['state']}",
        "ScaleUp": lambda: f"autoscaler: {r.subject} +{r.details['delta']} for {len(r.details['pods'])} pending pod(s)",
        "ScaleUpFailed": lambda: f"autoscaler: {r.subject} failed ({r.details['reason']}), backed off",
        "ScaleDown": lambda: f"autoscaler: removing {r.subject} ({r.details['reason']})",
        "ScaleDownFailed": lambda: f"autoscaler: could not remove {r.subject} ({r.details['reason']})",
    }.get(r.kind, lambda: f"{r.kind} {r.subject} {_fields(r.details)}".rstrip())()
    return f"  {int(minutes):4d}:{seconds:05.2f}  {text}"


def _fields(details: dict) -> str:
    return " ".join(f"{k}={v}" for k, v in details.items())
