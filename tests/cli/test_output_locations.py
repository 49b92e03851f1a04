"""Every output location is checked before any work (issue 14, item 1): a place a command
cannot write to is exit code 2 with one line naming the flag, at once, with nothing
created or changed; a folder output that fails midway leaves nothing half-written; a
counterexample `twin check` found is never lost.

The "before any work" part: the functions that do the work (simulate, search, sweep,
build the report, read the observations or the cluster) are replaced by ones that fail
the test when called. Permission cases run in another process that permission bits
bind: as root, with the capabilities that bypass them dropped; else as ourselves."""

from __future__ import annotations

import ctypes
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from helpers import twin

from twin.check import CheckResult

TRACEBACK = "Traceback"
PR_CAPBSET_DROP, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 24, 1, 2  # <linux/prctl.h>, <linux/capability.h>

GUARDS = """
import twin.cli.calibrate, twin.cli.check, twin.cli.import_, twin.cli.report, twin.cli.run, twin.cli.sweep
import twin.cli.validate
import twin.calibration.inputs, twin.report.run_report  # the commands import their work when they run


def work_started(*args, **kwargs):
    raise AssertionError("the work started before the output location was checked")


GUARDED = [(twin.cli.run, "evaluate"), (twin.cli.check, "search"), (twin.cli.sweep, "run_sweep"),
           (twin.report.run_report, "write_report"), (twin.calibration.inputs, "observation"),
           (twin.cli.validate, "load_scenario"), (twin.cli.import_, "compose")]


def guard(setattr, setitem):
    for module, name in GUARDED:
        setattr(module, name, work_started)
    for source, (_, metavar, text) in list(twin.cli.import_.SOURCES.items()):
        setitem(twin.cli.import_.SOURCES, source, (work_started, metavar, text))
"""
namespace: dict = {}
exec(GUARDS, namespace)  # the same guards here and in the process of the permission cases


@pytest.fixture
def guarded(monkeypatch):
    namespace["guard"](monkeypatch.setattr, monkeypatch.setitem)


def snapshot(root: Path) -> dict[str, tuple]:
    """Every entry under `root`: its kind, permission bits and (files) bytes."""
    found = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            try:
                info = path.lstat()
                content = path.read_bytes() if stat.S_ISREG(info.st_mode) else None
                found[str(path.relative_to(root))] = (stat.S_IFMT(info.st_mode), stat.S_IMODE(info.st_mode), content)
            except PermissionError:  # not root, inside a folder we may not search
                found[str(path.relative_to(root))] = ("unreachable",)
    return found


def run_folder(path: Path) -> Path:
    """What `twin report` takes for a run folder (its work is guarded, so the files are
    only looked at)."""
    path.mkdir(parents=True, exist_ok=True)
    (path / "summary.json").write_text("{}\n")
    (path / "events.csv").write_text("time,seq,kind,subject,details\n")
    return path


def assert_refused(code: int, out: str, err: str, names: str) -> None:
    assert TRACEBACK not in err, err
    assert code == 2, err
    assert out == ""
    assert err.startswith("twin: error: ") and err.endswith("\n") and err.count("\n") == 1, err
    assert names in err


# Places that are in the way whoever we are: files, folders, empty names.


@pytest.fixture
def place(tmp_path, monkeypatch):
    """A working folder with things in the way: a file, a run folder whose report.html is
    a folder, one whose plots is a file, a folder whose summary.json is a folder …"""
    (tmp_path / "file.yaml").write_text("keep me\n")
    (tmp_path / "taken" / "summary.json").mkdir(parents=True)
    (tmp_path / "log-taken" / "access.log").mkdir(parents=True)
    (tmp_path / "metrics-taken").mkdir()
    (tmp_path / "metrics-taken" / "metrics").write_text("mine\n")
    (tmp_path / "taken" / "runs").write_text("mine\n")
    (tmp_path / "taken" / "counterexample.yaml").mkdir()
    (tmp_path / "taken" / "calibration.json").mkdir()
    (tmp_path / "taken" / "validation.md").mkdir()
    (tmp_path / "taken" / "nodes.yaml").mkdir()
    run_folder(tmp_path / "html-is-a-folder")
    (tmp_path / "html-is-a-folder" / "report.html").mkdir()
    run_folder(tmp_path / "md-is-a-folder")
    (tmp_path / "md-is-a-folder" / "report.md").mkdir()
    run_folder(tmp_path / "plots-is-a-file")
    (tmp_path / "plots-is-a-file" / "plots").write_text("mine\n")
    run_folder(tmp_path / "plot-is-a-folder")
    (tmp_path / "plot-is-a-folder" / "plots" / "ready-replicas.png").mkdir(parents=True)
    (tmp_path / "plots-in-the-way").mkdir()
    (tmp_path / "plots-in-the-way" / "plots").write_text("mine\n")
    (tmp_path / "link").symlink_to(tmp_path / "nowhere")
    monkeypatch.chdir(tmp_path)
    return tmp_path


IN_THE_WAY = {
    "run --out under a file": (["run", "zone-failure", "--out", "file.yaml/x"], "--out: cannot create 'file.yaml/x'"),
    "run --out a file": (["run", "zone-failure", "--out", "file.yaml"], "--out: expected a directory"),
    "run --out empty": (["run", "zone-failure", "--out", ""], "--out: expected a folder name"),
    "run --out empty with --report": (["run", "zone-failure", "--report", "--out", ""], "--out: expected a folder name"),
    "run --out a broken link": (["run", "zone-failure", "--out", "link"], "--out: cannot use 'link'"),
    "run --out summary.json a folder": (["run", "zone-failure", "--out", "taken"], "--out: expected 'summary.json'"),
    "run --access-log a folder": (["run", "zone-failure", "--out", "log-taken", "--access-log"],
                                  "--out: expected 'access.log' in 'log-taken' to be a file, got a directory"),
    "run --metrics-every a file": (["run", "zone-failure", "--out", "metrics-taken", "--metrics-every", "30s"],
                                   "--out: expected 'metrics' in 'metrics-taken' to be a folder, got a file"),
    "run --report plots a file": (["run", "zone-failure", "--out", "plots-in-the-way", "--report"],
                                  "--out: expected 'plots' in 'plots-in-the-way' to be a folder"),
    "run --report under a file (default)": (["run", "zone-failure", "--report"], "--report: cannot create "
                                                                                 "'reports/zone-failure'"),
    "run --junit empty": (["run", "zone-failure", "--junit", ""], "--junit: expected a file name"),
    "run --junit a folder": (["run", "zone-failure", "--junit", "taken"], "--junit: expected a file name, got the "
                                                                          "directory"),
    "run --junit a folder name": (["run", "zone-failure", "--junit", "new/"], "--junit: expected a file name, got the "
                                                                              "folder name"),
    "run --junit under a file": (["run", "zone-failure", "--junit", "file.yaml/x.xml"], "--junit: cannot write"),
    "sweep --out under a file": (["sweep", "zone-failure", "--out", "file.yaml/x"], "--out: cannot create"),
    "sweep --out empty": (["sweep", "zone-failure", "--out", ""], "--out: expected a folder name"),
    "sweep --out runs a file": (["sweep", "zone-failure", "--out", "taken"], "--out: expected 'runs' in 'taken'"),
    "sweep --out under a file (default)": (["sweep", "zone-failure"], "--out: cannot create 'sweeps/zone-failure'"),
    "check --out under a file": (["check", "zone-failure", "--out", "file.yaml/x"], "--out: cannot create"),
    "check --out a file": (["check", "zone-failure", "--out", "file.yaml"], "--out: expected a directory"),
    "check --out empty": (["check", "zone-failure", "--out", ""], "--out: expected a folder name"),
    "check --out counterexample.yaml a folder": (["check", "zone-failure", "--out", "taken"],
                                                 "--out: expected 'counterexample.yaml' in 'taken' to be a file"),
    "report empty": (["report", ""], "twin report: expected a run folder"),
    "report report.html a folder": (["report", "html-is-a-folder"], "html-is-a-folder: expected 'report.html'"),
    "report report.md a folder": (["report", "md-is-a-folder"], "md-is-a-folder: expected 'report.md'"),
    "report plots a file": (["report", "plots-is-a-file"], "plots-is-a-file: expected 'plots'"),
    "report a plot a folder": (["report", "plot-is-a-folder"], "expected 'plots/ready-replicas.png'"),
    "calibrate --out under a file": (["calibrate", "--out", "file.yaml/x"], "--out: cannot create"),
    "calibrate --out empty": (["calibrate", "--out", ""], "--out: expected a folder name"),
    "calibrate --out calibration.json a folder": (["calibrate", "--out", "taken"], "--out: expected 'calibration.json'"),
    "validate --out under a file": (["validate", "zone-failure", "--out", "file.yaml/x"], "--out: cannot create"),
    "validate --out empty": (["validate", "zone-failure", "--out", ""], "--out: expected a folder name"),
    "validate --out validation.md a folder": (["validate", "zone-failure", "--out", "taken"],
                                              "--out: expected 'validation.md'"),
    "import must-gather --out under a file": (["import", "must-gather", "mg", "--out", "file.yaml/x"],
                                              "--out: cannot create"),
    "import dump --out empty": (["import", "dump", "d.yaml", "--out", ""], "--out: expected a folder name"),
    "import dump --out nodes.yaml a folder": (["import", "dump", "d.yaml", "--out", "taken", "--force"],
                                              "--out: expected 'nodes.yaml'"),
}


BLOCKED_DEFAULTS = {"run --report under a file (default)": "reports", "sweep --out under a file (default)": "sweeps"}
"""A file where the default folder would go."""


@pytest.mark.parametrize("case", IN_THE_WAY)
def test_a_location_in_the_way_is_refused_at_once_and_nothing_changes(case, place, guarded, capsys):
    argv, names = IN_THE_WAY[case]
    if case in BLOCKED_DEFAULTS:
        (place / BLOCKED_DEFAULTS[case]).write_text("mine\n")
    before = snapshot(place)
    code, out, err = twin(capsys, *argv, "--quiet")
    assert_refused(code, out, err, names)
    assert snapshot(place) == before


# Permissions: run without root's power to write anywhere.

DRIVER = GUARDS + """
import contextlib, io, json, operator, os, sys, traceback
from twin.cli import main

results = []
for cwd, argv in json.loads(sys.argv[1]):
    os.chdir(cwd)
    guard(setattr, operator.setitem)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as exit:
            code = exit.code
        except BaseException:
            code = None
            err.write(traceback.format_exc())
    results.append({"code": code, "out": out.getvalue(), "err": err.getvalue()})
print(json.dumps(results))
"""

DENIED = {
    # name: (working folder, argv, what the one line says)
    "run --out into a read-only folder": ("", ["run", "zone-failure", "--out", "ro/x"],
                                          "--out: cannot create 'ro/x': permission denied in 'ro'"),
    "run --out a read-only folder": ("", ["run", "zone-failure", "--out", "ro"],
                                     "--out: cannot write into 'ro': permission denied"),
    "run --out behind a folder we cannot search": ("", ["run", "zone-failure", "--out", "locked/inner/x"],
                                                   "--out: cannot reach 'locked/inner/x': permission denied"),
    "run --report (default) in a read-only working folder": ("ro", ["run", "zone-failure", "--report"],
                                                             "--report: cannot create 'reports/zone-failure'"),
    "run --junit in a read-only folder": ("", ["run", "zone-failure", "--junit", "ro/run.xml"],
                                          "--junit: cannot write 'ro/run.xml': permission denied in 'ro'"),
    "run --junit over a read-only file": ("", ["run", "zone-failure", "--junit", "rw/readonly.xml"],
                                          "--junit: cannot overwrite 'rw/readonly.xml': permission denied"),
    "sweep --out into a read-only folder": ("", ["sweep", "zone-failure", "--out", "ro/sweep"], "--out: cannot create"),
    "sweep (default) in a read-only working folder": ("ro", ["sweep", "zone-failure"],
                                                      "--out: cannot create 'sweeps/zone-failure'"),
    "check --out a read-only folder": ("", ["check", "zone-failure", "--out", "ro"], "--out: cannot write into 'ro'"),
    "check (default) in a read-only working folder": ("ro", ["check", "zone-failure"], "--out: cannot write into '.'"),
    "report a read-only run folder": ("", ["report", "ro/run"], "ro/run: cannot write the report into it"),
    "report a run folder with read-only plots": ("", ["report", "rw/run"],
                                                 "rw/run: cannot write into 'rw/run/plots': permission denied"),
    "report a run folder we cannot search": ("", ["report", "locked/inner"], "locked/inner: cannot reach"),
    "calibrate --out into a read-only folder": ("", ["calibrate", "--out", "ro/c"], "--out: cannot create 'ro/c'"),
    "validate --out into a read-only folder": ("", ["validate", "zone-failure", "--out", "ro/v"],
                                               "--out: cannot create 'ro/v'"),
    "import --out into a read-only folder": ("", ["import", "dump", "d.yaml", "--out", "ro/i"],
                                             "--out: cannot create 'ro/i'"),
    "import --out behind a folder we cannot search": ("", ["import", "must-gather", "mg", "--out", "locked/inner/i"],
                                                      "--out: cannot reach"),
}


def without_dac_capabilities() -> None:
    """Drop CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the bounding set, so the program
    exec'd next runs as a root that the permission bits bind like any owner."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def as_unprivileged() -> dict:
    """subprocess.run's arguments that make permission bits count: none when we are not
    root; as root, dropping the capabilities that bypass them (running as nobody is not
    possible where the interpreter lives under /root). The tree is ours either way, so
    its owner bits decide."""
    return {"preexec_fn": without_dac_capabilities} if os.geteuid() == 0 else {}


def permission_tree(base: Path) -> None:
    """ro/ (read-only, with a read-only run folder), locked/ (not searchable), rw/
    (writable, with a read-only file and a run folder whose plots/ is read-only)."""
    run_folder(base / "ro" / "run")
    (base / "locked" / "inner").mkdir(parents=True)
    run_folder(base / "locked" / "inner")
    run_folder(base / "rw" / "run")
    (base / "rw" / "run" / "plots").mkdir()
    (base / "rw" / "readonly.xml").write_text("<keep/>\n")
    for path, mode in (("rw/readonly.xml", 0o444), ("rw/run/plots", 0o555), ("rw", 0o777),
                       ("ro/run", 0o555), ("ro", 0o555), ("locked/inner", 0o755), ("locked", 0o666), ("", 0o755)):
        os.chmod(base / path, mode)


def remove(base: Path) -> None:
    for folder, dirs, _ in os.walk(base):
        for name in dirs:
            os.chmod(Path(folder) / name, 0o755)
    shutil.rmtree(base)


@pytest.fixture(scope="module")
def denied():
    """Every DENIED case, run in one process bound by permission bits; the tree before and
    after, and one real `python -m twin` run refused the same way."""
    base = Path(tempfile.mkdtemp(prefix="twin-outputs-"))
    try:
        permission_tree(base)
        before = snapshot(base)
        cases = [[str(base / cwd), argv] for cwd, argv, _ in DENIED.values()]
        try:
            process = subprocess.run([sys.executable, "-c", DRIVER, json.dumps(cases)], capture_output=True, text=True,
                                     timeout=120, cwd=base, **as_unprivileged())
            real = subprocess.run([sys.executable, "-m", "twin", "run", "zone-failure", "--quiet", "--out", "ro/x"],
                                  capture_output=True, text=True, timeout=120, cwd=base, **as_unprivileged())
        except (OSError, subprocess.SubprocessError) as error:
            pytest.skip(f"cannot drop root's permission bypass here ({error}), so permissions cannot be tested")
        assert process.returncode == 0, process.stderr
        results = dict(zip(DENIED, json.loads(process.stdout)))
        yield results, real, before, snapshot(base)
    finally:
        remove(base)


@pytest.mark.parametrize("case", DENIED)
def test_a_location_we_may_not_write_is_refused_at_once(case, denied):
    results, _, _, _ = denied
    result = results[case]
    assert_refused(result["code"], result["out"], result["err"], DENIED[case][2])


def test_the_refused_locations_are_left_as_they_were(denied):
    _, _, before, after = denied
    assert after == before


def test_the_real_command_line_refuses_a_read_only_out_with_one_line(denied):
    _, real, _, _ = denied
    assert_refused(real.returncode, real.stdout, real.stderr, "--out: cannot create 'ro/x': permission denied in 'ro'")


# Nothing half-written: a failure after the checks leaves the folders as they were.


def failing_report(monkeypatch):
    def fail(report):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr("twin.report.run_report.report_html", fail)


def test_a_run_that_fails_while_writing_creates_no_folder(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    failing_report(monkeypatch)
    with pytest.raises(OSError):
        twin(capsys, "run", "zone-failure", "--quiet", "--out", "new/run", "--report")
    assert list(tmp_path.iterdir()) == []


def test_a_run_that_fails_while_writing_leaves_an_existing_folder_as_it_was(capsys, tmp_path, monkeypatch):
    (tmp_path / "mine.txt").write_text("keep me\n")
    (tmp_path / "summary.json").write_text("{\"old\": true}\n")
    before = snapshot(tmp_path)
    failing_report(monkeypatch)
    with pytest.raises(OSError):
        twin(capsys, "run", "zone-failure", "--quiet", "--out", str(tmp_path), "--report", "--access-log")
    assert snapshot(tmp_path) == before


def test_a_run_into_a_folder_of_the_user_keeps_the_user_files_and_no_temporary_folder(capsys, tmp_path):
    (tmp_path / "mine.txt").write_text("keep me\n")
    (tmp_path / "plots").mkdir()
    (tmp_path / "plots" / "mine.png").write_bytes(b"mine")
    code, _, err = twin(capsys, "run", "zone-failure", "--quiet", "--out", str(tmp_path), "--report")
    assert code == 0, err
    names = {str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")}
    assert {"mine.txt", "plots/mine.png", "summary.json", "report.html", "plots/ready-replicas.png"} <= names
    assert not [name for name in names if Path(name).name.startswith(".")]
    assert (tmp_path / "mine.txt").read_text() == "keep me\n"


def test_a_report_that_fails_midway_leaves_the_run_folder_as_it_was(capsys, tmp_path, monkeypatch):
    folder = tmp_path / "run"
    assert twin(capsys, "run", "zone-failure", "--quiet", "--out", str(folder))[0] == 0
    before = snapshot(folder)
    failing_report(monkeypatch)
    with pytest.raises(OSError):
        twin(capsys, "report", str(folder), "--quiet")
    assert snapshot(folder) == before


def test_junit_onto_stdout_is_written_in_place():
    result = subprocess.run([sys.executable, "-m", "twin", "run", "zone-failure", "--quiet", "--junit", "/dev/stdout"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith('<?xml version="1.0" encoding="utf-8"?>\n<testsuites name="twin"')


# twin check: a counterexample found is never lost.

COUNTEREXAMPLE = "# Counterexample found by `twin check`\nname: found\nduration: 1m\n"


def found_after_the_disk_changed(out: Path):
    """A search that finds a counterexample, during which --out became a file."""
    def search(*args, **kwargs):
        out.rmdir()
        out.write_text("in the way\n")
        return CheckResult(True, ("zone_failure_recovery",), 3, 4, 1, 0.5, "found", 0.2, {"registry.replicas": 3},
                           (), {"name": "found"}, COUNTEREXAMPLE)
    return search


@pytest.mark.parametrize("quiet", [False, True], ids=["printed", "quiet"])
def test_a_counterexample_that_cannot_be_written_is_printed(quiet, capsys, tmp_path, monkeypatch):
    out = tmp_path / "checks"
    out.mkdir()
    monkeypatch.setattr("twin.cli.check.search", found_after_the_disk_changed(out))
    code, stdout, err = twin(capsys, "check", "zone-failure", "--vary", "registry.replicas=1..4", "--out", str(out),
                             *(["--quiet"] if quiet else []))
    assert code == 1
    assert stdout == COUNTEREXAMPLE
    assert TRACEBACK not in err and err.count("\n") == 1
    assert err.startswith(f"twin: error: --out: could not write {str(out / 'counterexample.yaml')!r} (")
    assert "the counterexample follows on stdout" in err
    assert out.read_text() == "in the way\n"
