"""Bad image-stream input (issue: the rest of the seed system, Bad input): a trigger on an
image outside the integrated registry, an annotation the trigger controller cannot read
or whose container does not exist, a build or trigger naming an image stream the
scenario never has, a push to something that is not a tag, a namespace's bad name or image
stream quota: one line naming the file and
the field, exit 2, nothing on stdout."""

from __future__ import annotations

import json

import pytest
from helpers import twin

REGISTRY = "image-registry.openshift-image-registry.svc:5000"
TRIGGERS = "image.openshift.io/triggers"
NOT_A_TAG = ("expected an image stream tag in the integrated registry as namespace/stream:tag, such as "
             "openshift/base-0:latest, got {!r}")
MISSING = ("expected an image stream tag the scenario has (a workload's image, a catalogue image or a pushed tag), "
           "got {!r}")


def workload(**fields) -> dict:
    return {"name": "a", "replicas": 1, "image": f"{REGISTRY}/apps/a:latest", **fields}


def annotation(stream_tag: str, container: str) -> dict:
    return {TRIGGERS: json.dumps([{"from": {"kind": "ImageStreamTag", "name": stream_tag},
                                   "fieldPath": f'spec.template.spec.containers[?(@.name=="{container}")].image'}])}


CASES = [
    ("a trigger on an image in another registry", {"workloads": [workload(image="quay.io/x:1", trigger=True)]},
     "workloads[0]", "trigger: expected the workload's image to be a tag in the integrated registry, such as "
                     f"{REGISTRY}/apps/app:latest, got 'quay.io/x:1'"),
    ("a triggers annotation that is not JSON", {"workloads": [workload(annotations={TRIGGERS: "[{"})]},
     "workloads[0].annotations", f"{TRIGGERS}: expected a JSON list of triggers, got malformed JSON "
                                 "(Expecting property name enclosed in double quotes)"),
    ("a trigger on a container the workload does not have", {"workloads": [workload(annotations=annotation("a:latest", "b"))]},
     f"workloads[0].annotations.{TRIGGERS}", "no such container: ?(@.name==\"b\") (the workload's container is named 'a')"),
    ("a trigger naming a missing image stream", {"workloads": [workload(annotations=annotation("zz:latest", "a"))]},
     f"workloads[0].annotations.{TRIGGERS}", MISSING.format("apps/zz:latest")),
    ("a build from a missing image stream", {"workloads": [workload(build={"from": "openshift/nothing:latest"})]},
     "workloads[0].build.from", MISSING.format("openshift/nothing:latest")),
    ("a build from something that is not a tag", {"workloads": [workload(build={"from": "base:latest"})]},
     "workloads[0].build.from", NOT_A_TAG.format("base:latest")),
    ("a push to something that is not a tag", {"faults": [{"at": "1m", "push": {"image": "nope"}}]},
     "faults[0].push.image", NOT_A_TAG.format("nope")),
    ("a push changing no layer", {"faults": [{"at": "1m", "push": {"image": "apps/a:1", "changed_layers": 0}}]},
     "faults[0].push.changed_layers", "expected a number >= 1, got 0"),
    ("a negative image stream quota", {"namespaces": {"team-a": {"quota": {"openshift.io/imagestreams": -1}}}},
     "namespaces['team-a'].quota['openshift.io/imagestreams']", "expected a number >= 0, got -1"),
    ("a quota on something else", {"namespaces": {"team-a": {"quota": {"pods": 3}}}},
     "namespaces['team-a'].quota.pods", "expected openshift.io/imagestreams, got 'pods'"),
    ("an image puller that is not a namespace", {"namespaces": {"team-a": {"image_pullers": ["Team B"]}}},
     "namespaces['team-a'].image_pullers[0]", "expected a namespace name (a DNS label: lower-case letters, digits "
                                              "and '-', at most 63 characters), got 'Team B'"),
    ("a namespace that is not a DNS label", {"namespaces": {"Team_A": {}}},
     "namespaces.Team_A", "expected a namespace name (a DNS label: lower-case letters, digits and '-', at most 63 "
                          "characters), got 'Team_A'"),
]


@pytest.mark.parametrize("name, changes, path, message", CASES, ids=[c[0] for c in CASES])
def test_bad_image_stream_input_is_one_line_naming_the_field(capsys, tmp_path, monkeypatch, name, changes, path, message):
    monkeypatch.chdir(tmp_path)
    scenario = tmp_path / "s.yaml"
    scenario.write_text(json.dumps({"name": "x", "duration": "5m", **changes}))
    code, out, err = twin(capsys, "run", str(scenario), "--quiet", "--out", str(tmp_path / "out"))
    assert code == 2 and out == ""
    assert err == f"twin: error: {scenario}: {path}: {message}\n"
    assert not (tmp_path / "out").exists()


def test_numbered_copies_may_trigger_on_their_own_numbered_tags(capsys, tmp_path):
    copies = workload(name="a", copies=2, image=f"{REGISTRY}/apps/a-{{i}}:latest",
                      annotations=annotation("a-{i}:latest", "a-{i}"))
    scenario = tmp_path / "s.yaml"
    scenario.write_text(json.dumps({"name": "x", "duration": "5m", "workloads": [copies]}))
    code, out, err = twin(capsys, "run", str(scenario), "--quiet")
    assert code == 0, err
