"""`twin import dump` (`oc get -o yaml` output: one file or a folder) and how --out is
treated: a new or empty folder is written; a folder with files is refused without
--force; with --force only the import's four files are replaced."""

from __future__ import annotations

import shutil

import yaml
from importing_helpers import FILES, image_folder, must_gather, snapshot, twin

from twin.scenarios.load import load_scenario

AWS = image_folder(must_gather("aws"))
NODE_FILES = sorted((AWS / "cluster-scoped-resources/core/nodes").glob("*.yaml"))
PODS_FILES = sorted(AWS.glob("namespaces/*/core/pods.yaml"))


def dump_file(tmp_path):
    """The real aws nodes and pods as one `oc get nodes,pods -A -o yaml` would print them:
    a List of the same objects (made here from the must-gather's files)."""
    items = [yaml.safe_load(f.read_text()) for f in NODE_FILES]
    items += [pod for f in PODS_FILES for pod in yaml.safe_load(f.read_text())["items"]]
    file = tmp_path / "dump.yaml"
    file.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": items}))
    return file


def test_a_dump_file_gives_the_same_nodes_and_pods_as_the_must_gather(tmp_path, capsys):
    assert twin(capsys, "import", "must-gather", str(AWS), "--out", str(tmp_path / "mg"), "--quiet")[0] == 0
    code, _, err = twin(capsys, "import", "dump", str(dump_file(tmp_path)), "--out", str(tmp_path / "d"), "--quiet")
    assert code == 0, err
    from_dump = load_scenario(str(tmp_path / "d" / "scenario.yaml"))
    from_must_gather = load_scenario(str(tmp_path / "mg" / "scenario.yaml"))
    assert from_dump.nodes == from_must_gather.nodes
    assert from_dump.pods == from_must_gather.pods


def test_a_dump_without_a_config_gets_the_default_rosa_config_and_says_so(tmp_path, capsys):
    code, out, _ = twin(capsys, "import", "dump", str(dump_file(tmp_path)), "--out", str(tmp_path / "d"))
    assert code == 0
    assert "the default ROSA Config: the source has none" in out
    assert "the source has none, so config.yaml is the twin's default ROSA" in (tmp_path / "d/scenario.yaml").read_text()
    assert load_scenario(str(tmp_path / "d" / "scenario.yaml")).config.replicas == 2


def test_a_dump_folder_reads_every_file_in_it_and_names_kinds_it_does_not_use(tmp_path, capsys):
    folder = tmp_path / "dumps"  # the real files copied as they are, plus the ClusterVersion and the Config
    folder.mkdir()
    for file in NODE_FILES + [AWS / "cluster-scoped-resources/config.openshift.io/clusterversions/version.yaml",
                              AWS / "cluster-scoped-resources/imageregistry.operator.openshift.io/configs/cluster.yaml"]:
        shutil.copy(file, folder / file.name.replace("cluster.yaml", "config.yaml"))
    for file in PODS_FILES:
        shutil.copy(file, folder / f"{file.parent.parent.name}-pods.yaml")
    (folder / "svc.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata: {name: s, namespace: x}\nspec: {}\n")
    code, _, err = twin(capsys, "import", "dump", str(folder), "--out", str(tmp_path / "d"), "--quiet")
    assert code == 0, err
    scenario = load_scenario(str(tmp_path / "d" / "scenario.yaml"))
    assert (len(scenario.nodes), len(scenario.pods), scenario.spec.openshift) == (6, 21, "4.21")
    assert "Objects of kinds the import does not use: Service (1)." in (tmp_path / "d/scenario.yaml").read_text()


def test_an_existing_empty_out_folder_is_written(tmp_path, capsys):
    (tmp_path / "out").mkdir()
    assert twin(capsys, "import", "must-gather", str(AWS), "--out", str(tmp_path / "out"), "--quiet")[0] == 0
    assert set(snapshot(tmp_path / "out")) == FILES


def test_an_out_folder_with_files_is_refused_without_force_and_left_as_it_was(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "scenario.yaml").write_text("name: mine\n")
    code, _, err = twin(capsys, "import", "must-gather", str(AWS), "--out", str(out))
    assert code == 2 and err.count("\n") == 1
    assert err.startswith(f"twin: error: {out}: expected a new or empty folder, found files in it (--force")
    assert snapshot(out) == {"scenario.yaml": b"name: mine\n"}


def test_force_replaces_the_four_files_and_keeps_the_others(tmp_path, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "scenario.yaml").write_text("name: mine\n")
    (out / "notes.txt").write_text("keep me\n")
    code, _, err = twin(capsys, "import", "must-gather", str(AWS), "--out", str(out), "--force", "--quiet")
    assert code == 0, err
    assert set(snapshot(out)) == FILES | {"notes.txt"}
    assert (out / "notes.txt").read_text() == "keep me\n"
    assert load_scenario(str(out / "scenario.yaml")).spec.name == "out"


def test_an_out_path_that_is_a_file_is_refused(tmp_path, capsys):
    (tmp_path / "out").write_text("x")
    code, _, err = twin(capsys, "import", "must-gather", str(AWS), "--out", str(tmp_path / "out"), "--force")
    assert code == 2 and err == f"twin: error: --out: expected a directory, got the file {str(tmp_path / 'out')!r}\n"
    assert (tmp_path / "out").read_text() == "x"
