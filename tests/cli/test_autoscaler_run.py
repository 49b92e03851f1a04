"""`twin run` with `cluster.autoscaler`: the run summary carries the autoscaler's figures;
without the section there is no autoscaler and no such figures."""

from __future__ import annotations

import json

from helpers import twin

BASE = {"name": "x", "duration": "2m", "cluster": {"generate": {"zones": 1, "workers_per_zone": 2}}}


def summary(capsys, tmp_path, body: dict) -> dict:
    scenario = tmp_path / "s.yaml"
    scenario.write_text(json.dumps(body))
    code, _, err = twin(capsys, "run", str(scenario), "--quiet", "--out", str(tmp_path / "out"))
    assert code in (0, 1), err
    return json.loads((tmp_path / "out" / "summary.json").read_text())


def test_a_run_with_an_autoscaler_has_its_figures_in_the_summary(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    body = {**BASE, "cluster": {**BASE["cluster"], "autoscaler": {"scaleDown": {"enabled": True}}}}
    figures = summary(capsys, tmp_path, body)["autoscaler"]
    assert figures["scale_ups"] == 0 and figures["nodes_removed"] == 0
    assert figures["pending_to_ready_mean_seconds"] is None


def test_a_run_without_an_autoscaler_has_no_autoscaler_figures(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert "autoscaler" not in summary(capsys, tmp_path, BASE)


def test_the_summary_text_shows_scale_ups_and_scale_downs_on_the_timeline():
    from twin.analysis.summary import summary_text
    from twin.sim.recorder import Record
    records = [Record(30.0, 0, "ScaleUp", "workers-us-east-1a", {"delta": 2, "pods": ["a/p1", "a/p2"]}),
               Record(700.0, 1, "ScaleDown", "workers-us-east-1a-3", {"reason": "empty"})]
    document = {"scenario": "x", "openshift": "4.23", "seed": 1, "simulated_seconds": 900.0, "invariants": [],
                "kpis": {"registry_recovery_seconds": None}}
    text = summary_text(document, records)
    assert "autoscaler: workers-us-east-1a +2 for 2 pending pod(s)" in text
    assert "autoscaler: removing workers-us-east-1a-3 (empty)" in text
