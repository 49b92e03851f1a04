"""One registry pod's handler chain (`spec/registry-operator.md` §4.1–§4.5)."""

import numpy as np
import pytest

from twin.model.registry.batch import Arrivals, Client
from twin.model.registry.requests import Kind, Outcome
from twin.model.registry.server import RegistryServer, ServiceDemand
from twin.model.registry.settings import Limits, RegistrySettings


def demand(n: int, cpu: float = 1.0, redirected: bool = False, stream: int = 0) -> ServiceDemand:
    return ServiceDemand(np.full(n, cpu), np.full((n, 2), np.nan), np.full(n, stream, np.int64),
                         np.full(n, 300, np.int64), np.full(n, 1000, np.int64), np.full(n, redirected))


def serve(server: RegistryServer, times, kinds, **kw):
    arrivals = Arrivals.of(times, kinds, np.zeros(len(times)), Client.PULL)
    return server.serve(arrivals, demand(len(times), **kw))


def server(**settings) -> RegistryServer:
    return RegistryServer("registry-0", RegistrySettings(**settings), lambda nbytes, n: nbytes * n / 100)


def test_a_closed_storage_gate_answers_every_request_503_without_touching_the_limiter():
    s = server(read=Limits(1, 0))
    s.gate_open = False
    out = serve(s, [0, 0, 0], [Kind.MANIFEST_GET] * 3)
    assert out.code.tolist() == [503] * 3
    assert np.isnan(out.start).all()
    s.gate_open = True
    assert serve(s, [1.0], [Kind.MANIFEST_GET]).code.tolist() == [200]


def test_writes_under_read_only_get_405_after_passing_the_write_limiter():
    s = server(read_only=True, write=Limits(1, 0))
    out = serve(s, [0, 0, 0], [Kind.MANIFEST_PUT, Kind.UPLOAD_START, Kind.MANIFEST_GET])
    assert out.code.tolist() == [Outcome.NOT_ALLOWED, Outcome.TOO_MANY, Outcome.OK]


def test_limiter_rejections_are_429_and_successes_carry_the_kinds_code():
    s = server(write=Limits(1, 0))
    out = serve(s, [0, 0, 5], [Kind.UPLOAD_COMMIT, Kind.MANIFEST_PUT, Kind.UPLOAD_START])
    assert out.code.tolist() == [201, 429, 202]


def test_a_redirected_blob_get_answers_307_and_streams_nothing():
    s = server()
    out = serve(s, [0], [Kind.BLOB_GET], redirected=True, stream=10_000)
    assert out.code.tolist() == [307]
    assert out.end.tolist() == [1.0]
    assert out.transfer.tolist() == [0.0]


def test_a_streamed_blob_get_holds_the_request_for_the_transfer():
    s = server()
    out = serve(s, [0], [Kind.BLOB_GET], stream=200)
    assert out.code.tolist() == [200]
    assert out.end.tolist() == [3.0]
    assert out.transfer.tolist() == [2.0]


def test_commit_hands_over_only_finished_requests():
    s = server()
    serve(s, [0, 0], [Kind.MANIFEST_GET, Kind.BLOB_GET], stream=1000)
    assert len(s.commit(2.0)) == 1
    assert len(s.commit(20.0)) == 1
    assert len(s.pending) == 0


def test_killing_the_container_breaks_every_open_request_at_that_time():
    s = server(read=Limits(1, 5))
    serve(s, [0, 0, 0], [Kind.MANIFEST_GET] * 3)
    assert s.in_flight(0.5) == (1, 2)
    cut = s.kill(1.5)
    assert cut.code.tolist() == [0, 0, 0]
    assert cut.end.tolist() == [1.5] * 3
    assert s.busy_until() == -np.inf


def test_peaks_record_the_fullest_the_limiter_got():
    s = server(read=Limits(2, 3, 10.0))
    serve(s, [0, 0, 0, 0, 0, 0], [Kind.MANIFEST_GET] * 6)
    s.commit(100.0)
    peak = s.peaks[0]
    assert (peak.running, peak.queued) == (2, 3)
    assert peak.longest_wait == pytest.approx(2.0)
