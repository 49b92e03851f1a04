"""Files as users' tools write them, and files built to break a reader (issue: hostile
input, "Decoding"): one line naming the file, exit 2, no traceback; UTF-16 with a BOM (what
Windows PowerShell's `oc get nodes -o json > nodes.json` writes) is read."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import twin

EXAMPLES = Path(__file__).resolve().parents[2] / "twin" / "scenarios" / "examples"
NODES = Path(__file__).resolve().parents[2] / "twin" / "scenarios" / "library" / "clusters" / "edge-zone-nodes.yaml"
CONFIG = EXAMPLES / "rosa-default-config.yaml"


def place(capsys, nodes: Path) -> tuple[int, str, str]:
    return twin(capsys, "place", "--config", str(CONFIG), "--nodes", str(nodes))


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig", "utf-32"])
def test_a_nodes_file_with_a_byte_order_mark_is_read_like_its_utf8_original(tmp_path, capsys, encoding):
    nodes = tmp_path / "nodes.yaml"
    text = NODES.read_text(encoding="utf-8")
    nodes.write_bytes(text.encode(encoding) if encoding != "utf-16-be" else b"\xfe\xff" + text.encode("utf-16-be"))
    assert place(capsys, nodes)[:2] == place(capsys, NODES)[:2]


@pytest.mark.parametrize("name, content, expected", [
    ("latin1.yaml", NODES.read_bytes() + b"\n# caf\xe9\n", "expected UTF-8 text"),
    ("deep.json", b"[" * 100_000 + b"]" * 100_000, "nested less deeply"),
    ("deep.yaml", b"a:\n" + b"".join(b"  " * i + b"- \n" for i in range(1, 3)) + b"x: " + b"[" * 100_000, "line"),
    ("bigint.yaml", b"kind: Node\napiVersion: v1\nmetadata: {name: n}\nstatus: {allocatable: {pods: "
     + b"9" * 5000 + b"}}\n", "digits"),
])
def test_a_file_built_to_break_the_reader_is_one_line_and_exit_2(tmp_path, capsys, name, content, expected):
    nodes = tmp_path / name
    nodes.write_bytes(content)
    code, out, err = place(capsys, nodes)
    assert code == 2 and err.count("\n") == 1 and name in err and expected in err and "Traceback" not in err


def test_a_scenario_in_utf16_runs(tmp_path, capsys):
    scenario = tmp_path / "scenario.yaml"
    scenario.write_bytes("name: utf16\nduration: 2m\n".encode("utf-16"))
    assert twin(capsys, "run", str(scenario), "--quiet", "--out", str(tmp_path / "out"))[0] == 0
