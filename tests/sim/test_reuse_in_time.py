"""The scheduler's reuse of its previous cycles' work (`twin/model/scheduling/reuse.py`)
and the autoscaler's caches change no record: a small copy of
`bench/scenarios/autoscaled-500.yaml` (3 autoscaled pools, a zone lost, hundreds of
failed cycles retried back to back) run with them and without them."""

from __future__ import annotations

import pytest

from twin.model.autoscaling import scale_down
from twin.model.scheduling import reuse
from twin.run import run_scenario
from twin.scenarios.load import load_scenario

SCENARIO = """
name: autoscaled-small
seed: 1
duration: 45m
openshift: "4.23"
cluster:
  generate: {zones: 3, control_plane: 3}
  machine_pools:
    - {name: worker, zones: [us-east-1a], autoscaling: {min: 8, max: 12}}
    - {name: pool-b, zones: [us-east-1b], autoscaling: {min: 8, max: 12}}
    - {name: pool-c, zones: [us-east-1c], autoscaling: {min: 8, max: 12}}
  autoscaler:
    scaleDown: {enabled: true}
    balanceSimilarNodeGroups: true
registry:
  config:
    spec: {replicas: 3, managementState: Managed, storage: {s3: {}}}
workloads:
  - {name: app, copies: 24, namespace: apps, replicas: 10, requests: {cpu: 300m, memory: 256Mi},
     image: "quay.io/example/app-{i}:1"}
faults:
  - {at: 10m, zone_outage: {zone: registry}}
  - {at: 40m, zone_recovery: {zone: registry}}
"""


def without_reuse(monkeypatch) -> None:
    monkeypatch.setattr(reuse.FilterMemo, "outcomes", lambda self, ctx: None)
    monkeypatch.setattr(reuse.FilterMemo, "share_statuses", lambda self, view, result, feasible: None)
    monkeypatch.setattr(reuse.PreemptionMemo, "replay", lambda self, view, result, rng: None)
    monkeypatch.setattr(scale_down.UnneededMemo, "find_unneeded",
                        lambda self, inputs, settings, unneeded: scale_down.find_unneeded(inputs, settings, unneeded))


def records(tmp_path) -> list:
    path = tmp_path / "autoscaled-small.yaml"
    path.write_text(SCENARIO)
    return run_scenario(load_scenario(path)).records


@pytest.fixture
def with_reuse(tmp_path):
    return records(tmp_path)


def test_the_small_autoscaled_zone_loss_fails_many_cycles_in_a_row(with_reuse):
    assert sum(r.kind == "SchedulingFailed" for r in with_reuse) > 500


def test_every_record_is_the_same_without_the_reuse(with_reuse, tmp_path, monkeypatch):
    without_reuse(monkeypatch)
    assert records(tmp_path) == with_reuse
