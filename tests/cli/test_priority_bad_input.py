"""Bad PriorityClass input (issue 12 item 3): a workload naming a class that does not
exist (admission: "no PriorityClass with name ... was found"), a user class above
HighestUserDefinablePriority, two global defaults, a user class with the reserved
`system-` prefix, two classes of one name: one line naming the file and the field, exit
2, nothing written."""

from __future__ import annotations

import json

import pytest
from helpers import twin

BATCH = {"name": "batch", "value": 100}
CASES = [
    ("a workload naming an unknown class", [BATCH], "missing", "workloads[0].priority_class",
     "expected a PriorityClass defined in priority_classes or a system one (batch, system-cluster-critical, "
     "system-node-critical), got 'missing' (admission: no PriorityClass with name missing was found)"),
    ("a value above HighestUserDefinablePriority", [{"name": "huge", "value": 1_000_000_001}], None,
     "priority_classes[0].value",
     "expected at most 1000000000 (HighestUserDefinablePriority: larger values are reserved for system classes), "
     "got 1000000001"),
    ("two global defaults", [{**BATCH, "global_default": True}, {"name": "other", "value": 5, "global_default": True}],
     None, "priority_classes[1].global_default",
     "expected one global default, got a second one (priority_classes[0] is already marked as default)"),
    ("a user class with the system- prefix", [{"name": "system-mine", "value": 5}], None, "priority_classes[0].name",
     "expected a name without the reserved prefix 'system-' (only system-cluster-critical and system-node-critical "
     "carry it), got 'system-mine'"),
    ("two classes of one name", [BATCH, BATCH], None, "priority_classes[1].name",
     "expected names unique, got a second 'batch'"),
]


@pytest.mark.parametrize("name, classes, wanted, path, message", CASES, ids=[c[0] for c in CASES])
def test_bad_priority_input_is_one_line_naming_the_field(capsys, tmp_path, monkeypatch, name, classes, wanted, path,
                                                         message):
    monkeypatch.chdir(tmp_path)
    workload = {"name": "w", "replicas": 1, **({"priority_class": wanted} if wanted else {})}
    scenario = tmp_path / "s.yaml"
    scenario.write_text(json.dumps({"name": "x", "duration": "5m", "priority_classes": classes,
                                    "workloads": [workload]}))
    code, out, err = twin(capsys, "run", str(scenario), "--quiet", "--out", str(tmp_path / "out"))
    assert code == 2 and out == ""
    assert err == f"twin: error: {scenario}: {path}: {message}\n"
    assert not (tmp_path / "out").exists()


def test_a_workload_may_name_a_system_class(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    scenario = tmp_path / "s.yaml"
    scenario.write_text(json.dumps({"name": "x", "duration": "1m", "workloads": [
        {"name": "w", "replicas": 1, "priority_class": "system-node-critical"}]}))
    code, _, err = twin(capsys, "run", str(scenario), "--quiet", "--out", str(tmp_path / "out"))
    assert code == 0, err
