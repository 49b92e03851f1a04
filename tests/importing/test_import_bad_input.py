"""`twin import` on bad input: one line `twin: error: <file>: ...expected...` on stderr,
exit code 2, and nothing written into --out (nor anything already there lost). Each case
breaks a copy of the real aws must-gather (data/SOURCE.md) in one way."""

from __future__ import annotations

import shutil

import pytest
from importing_helpers import copy_of, snapshot, twin

CONFIG = "cluster-scoped-resources/imageregistry.operator.openshift.io/configs/cluster.yaml"
NODES = "cluster-scoped-resources/core/nodes"


def without_nodes(root):
    shutil.rmtree(root / NODES)
    return root / NODES, "expected Node objects (`oc get nodes -o yaml`), found none"


def nodes_file_not_yaml(root):
    file = root / NODES / "ip-10-0-129-220.ec2.internal.yaml"
    file.write_text("kind: Node\nmetadata: {name: [unclosed\n")
    return file, "malformed YAML"


def config_of_another_kind(root):
    (root / CONFIG).write_text("apiVersion: config.openshift.io/v1\nkind: Image\nmetadata: {name: cluster}\nspec: {}\n")
    return root / CONFIG, "kind: expected the registry Config (imageregistry.operator.openshift.io/v1), got 'Image'"


def missing_folder(root):
    shutil.rmtree(root.parent)
    return root.parent, "expected a must-gather folder, found no such folder"


def node_of_another_kind(root):
    file = root / NODES / "ip-10-0-129-220.ec2.internal.yaml"
    file.write_text("apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: {containers: []}\n")
    return file, "kind: expected Node, got 'Pod'"


CASES = [without_nodes, nodes_file_not_yaml, config_of_another_kind, missing_folder, node_of_another_kind]


def assert_one_line_naming(err: str, file, expected: str) -> None:
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith(f"twin: error: {file}: "), err
    assert expected in err, err


@pytest.mark.parametrize("breaks", CASES, ids=[c.__name__ for c in CASES])
def test_bad_input_is_one_line_exit_2_and_nothing_written(breaks, tmp_path, capsys):
    root = copy_of("aws", tmp_path)
    file, expected = breaks(root)
    out = tmp_path / "out"
    code, stdout, err = twin(capsys, "import", "must-gather", str(root.parent), "--out", str(out))
    assert code == 2 and stdout == ""
    assert_one_line_naming(err, file, expected)
    assert not out.exists()


@pytest.mark.parametrize("breaks", CASES, ids=[c.__name__ for c in CASES])
def test_bad_input_with_force_leaves_an_existing_out_folder_as_it_was(breaks, tmp_path, capsys):
    root = copy_of("aws", tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "scenario.yaml").write_text("name: mine\n")
    (out / "notes.txt").write_text("keep me\n")
    before = snapshot(out)
    breaks(root)
    code, _, _ = twin(capsys, "import", "must-gather", str(root), "--out", str(out), "--force")
    assert code == 2
    assert snapshot(out) == before


def test_a_dump_path_that_does_not_exist_is_one_line_exit_2(tmp_path, capsys):
    code, _, err = twin(capsys, "import", "dump", str(tmp_path / "nope.yaml"), "--out", str(tmp_path / "out"))
    assert code == 2
    assert_one_line_naming(err, tmp_path / "nope.yaml", "expected an `oc get -o yaml|json` file or a folder of them")
    assert not (tmp_path / "out").exists()


def test_a_dump_without_nodes_is_one_line_exit_2(tmp_path, capsys):
    dump = tmp_path / "pods.yaml"  # a PodList without nodes
    dump.write_text("apiVersion: v1\nkind: PodList\nitems: []\n")
    code, _, err = twin(capsys, "import", "dump", str(dump), "--out", str(tmp_path / "out"))
    assert code == 2
    assert_one_line_naming(err, dump, "expected Node objects")
    assert not (tmp_path / "out").exists()


def test_an_openshift_version_the_twin_does_not_model_is_refused(tmp_path, capsys):
    root = copy_of("aws", tmp_path)
    code, _, err = twin(capsys, "import", "must-gather", str(root), "--out", str(tmp_path / "out"), "--openshift", "4.8")
    assert code == 2 and err.startswith("twin: error: --openshift: ") and err.count("\n") == 1
    assert not (tmp_path / "out").exists()
