"""`traffic.replay`: an access log's requests sent again through the twin's registry —
every line of a request kind once, at its arrival time scaled by `speed`; bad logs are bad
input of the scenario."""

from __future__ import annotations

import textwrap

import numpy as np
import pytest

from twin.cli import main
from twin.errors import InputError
from twin.model.registry.requests import Kind
from twin.observed.accesslog import read_access_log
from twin.observed.replay import ReplayRequests
from twin.run import run_scenario
from twin.scenarios.load import load_scenario

SOURCE = textwrap.dedent("""\
    name: source
    seed: 3
    duration: 4m
    cluster: {generate: {zones: 3, workers_per_zone: 1, control_plane: 0}}
    registry: {config: {spec: {replicas: 1, managementState: Managed, storage: {emptyDir: {}}}}}
    traffic: {warm_up: 1m, background: {pulls: {constant: 5}, pushes: {constant: 0.2}}}
    invariants: [{name: request_conservation}]
    """)
REPLAY = textwrap.dedent("""\
    name: replay
    seed: 1
    duration: 8m
    cluster: {{generate: {{zones: 3, workers_per_zone: 1, control_plane: 0}}}}
    registry: {{config: {{spec: {{replicas: 3, managementState: Managed, storage: {{emptyDir: {{}}}}}}}}}}
    traffic: {{warm_up: 1m, background: {{pulls: {{constant: 0}}}}, replay: {{access_log: {log}, speed: {speed}}}}}
    invariants: [{{name: request_conservation}}]
    """)


@pytest.fixture(scope="module")
def logged(tmp_path_factory):
    folder = tmp_path_factory.mktemp("replay")
    (folder / "source.yaml").write_text(SOURCE)
    assert main(["run", str(folder / "source.yaml"), "--out", str(folder / "run"), "--access-log", "--quiet"]) == 0
    return folder


def replay_of(folder, speed=1.0, log="run/access.log"):
    path = folder / f"replay-{speed}.yaml"
    path.write_text(REPLAY.format(log=log, speed=speed))
    return load_scenario(str(path))


def test_every_logged_request_is_sent_again_once_with_its_kind(logged):
    log = read_access_log(logged / "run" / "access.log")
    result = run_scenario(replay_of(logged))
    issued = result.traffic.engine.stats.issued_counts.reshape(-1, len(Kind)).sum(axis=0)
    expected = log.groupby("kind").size()
    for kind in Kind:
        assert issued[kind] == expected.get(kind.name.lower(), 0), kind


def test_speed_divides_the_logs_time_and_arrivals_keep_their_order(logged):
    log = read_access_log(logged / "run" / "access.log")
    once, twice = (ReplayRequests.from_log(log, speed) for speed in (1.0, 2.0))
    assert np.all(np.diff(once.offsets) >= 0) and once.offsets[0] == 0
    assert twice.offsets[-1] == pytest.approx(once.offsets[-1] / 2)
    uploads = once.kinds == int(Kind.UPLOAD_CHUNK)
    assert uploads.any() and not once.nbytes[uploads].any()  # a log does not record request bodies


def test_a_missing_log_names_the_field_and_a_log_without_requests_names_the_file(logged, tmp_path):
    with pytest.raises(InputError, match="traffic.replay.access_log: expected an access log file"):
        replay_of(logged, log="missing.log")
    empty = logged / "probes.log"
    empty.write_text('time="1970-01-01T00:00:01.000000000Z" level=info msg=response http.request.method=GET '
                     'http.request.uri="/healthz" http.response.duration=1ms http.response.status=200 '
                     'http.response.written=0\n')
    with pytest.raises(InputError, match="expected requests to replay"):
        replay_of(logged, log="probes.log")


def test_filesystem_storage_makes_no_object_store_calls(logged):
    """emptyDir (the filesystem driver) has no request-rate ceilings: its calls are not
    counted against the object store's (they were, before)."""
    result = run_scenario(replay_of(logged))
    store = result.traffic.engine.store
    assert sum(store.requests) == 0 and result.traffic.engine.stats.issued_counts.sum() > 0
