"""Bad ClusterAutoscaler input (`cluster.autoscaler`): unknown expanders, more than 3,
one twice, negative or malformed durations, thresholds outside (0, 1], a negative
maxNodesTotal, scaleDown without `enabled` (required by the CRD), a priority pattern that
is no regular expression: one line naming the file and the field, exit 2, nothing written."""

from __future__ import annotations

import json

import pytest
from helpers import twin

CASES = [
    ("an unknown expander", {"expanders": ["MostPods"]}, "cluster.autoscaler.expanders[0]",
     "expected LeastWaste, Priority or Random, got 'MostPods'"),
    ("more than three expanders", {"expanders": ["LeastWaste", "Priority", "Random", "LeastWaste"]},
     "cluster.autoscaler.expanders", "List should have at most 3 items after validation, not 4"),
    ("an expander twice", {"expanders": ["Random", "Random"]}, "cluster.autoscaler.expanders",
     "expected each expander at most once (the CRD's listType is set), got ['Random', 'Random']"),
    ("a negative unneededTime", {"scaleDown": {"enabled": True, "unneededTime": "-5m"}},
     "cluster.autoscaler.scaleDown.unneededTime", "expected a duration that is not negative, got '-5m'"),
    ("a delayAfterAdd that is no duration", {"scaleDown": {"enabled": True, "delayAfterAdd": "10 minutes"}},
     "cluster.autoscaler.scaleDown.delayAfterAdd", "expected a duration such as 90s, 10m or 1h30m, got '10 minutes'"),
    ("a delay given as a bare number", {"scaleDown": {"enabled": True, "delayAfterDelete": 30}},
     "cluster.autoscaler.scaleDown.delayAfterDelete", "expected a duration string such as 10m or 90s, got 30"),
    ("a threshold above 1", {"scaleDown": {"enabled": True, "utilizationThreshold": "1.5"}},
     "cluster.autoscaler.scaleDown.utilizationThreshold",
     'expected a utilization threshold in (0, 1] as a string such as "0.5", got \'1.5\''),
    ("a threshold of 0", {"scaleDown": {"enabled": True, "utilizationThreshold": "0"}},
     "cluster.autoscaler.scaleDown.utilizationThreshold",
     'expected a utilization threshold in (0, 1] as a string such as "0.5", got \'0\''),
    ("scaleDown without enabled", {"scaleDown": {"unneededTime": "5m"}}, "cluster.autoscaler.scaleDown.enabled",
     "required field is missing"),
    ("a negative maxNodesTotal", {"resourceLimits": {"maxNodesTotal": -1}},
     "cluster.autoscaler.resourceLimits.maxNodesTotal", "expected a number >= 0, got -1"),
    ("a zero maxNodeProvisionTime", {"maxNodeProvisionTime": "0s"}, "cluster.autoscaler.maxNodeProvisionTime",
     "expected a duration above 0"),
    ("a priority pattern that does not compile", {"priorities": {"10": ["workers-("]}},
     "cluster.autoscaler.priorities", "expected regular expressions, got 'workers-('"),
    ("an unknown field", {"scanInterval": "5s"}, "cluster.autoscaler.scanInterval", "Extra inputs are not permitted"),
]


def run(capsys, tmp_path, autoscaler: dict):
    scenario = tmp_path / "s.yaml"
    body = {"name": "x", "duration": "5m", "cluster": {"generate": {"zones": 1, "workers_per_zone": 1},
                                                       "autoscaler": autoscaler}}
    scenario.write_text(json.dumps(body))
    code, out, err = twin(capsys, "run", str(scenario), "--quiet", "--out", str(tmp_path / "out"))
    return scenario, code, out, err


@pytest.mark.parametrize("name, autoscaler, path, message", CASES, ids=[c[0] for c in CASES])
def test_bad_autoscaler_input_is_one_line_naming_the_field(capsys, tmp_path, monkeypatch, name, autoscaler, path,
                                                            message):
    monkeypatch.chdir(tmp_path)
    scenario, code, out, err = run(capsys, tmp_path, autoscaler)
    assert code == 2 and out == ""
    assert err.startswith(f"twin: error: {scenario}: {path}: "), err
    assert message in err, err
    assert err.count("\n") == 1
    assert not (tmp_path / "out").exists()
