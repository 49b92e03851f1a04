"""events.csv is written in pieces (`events_csv_chunks`) with the very text pandas gives
for the whole events frame, large shared details encoded and quoted once."""

from __future__ import annotations

import pytest

from twin.analysis import summary
from twin.analysis.summary import events_csv_chunks, events_frame
from twin.run import run_scenario
from twin.scenarios.load import load_scenario
from twin.sim.recorder import Record


def whole(records) -> str:
    return events_frame(records).to_csv(index=False, lineterminator="\n")


def test_the_pieces_of_a_built_in_run_join_to_the_events_frame_text(monkeypatch):
    records = run_scenario(load_scenario("zone-failure-autoscaled")).records
    monkeypatch.setattr(summary, "EVENTS_CHUNK", 97)  # many pieces
    assert b"".join(events_csv_chunks(records)).decode("utf-8") == whole(records)


@pytest.mark.parametrize("time", [0.0, 1 / 3, 600.0, 1e-05, 1e16, 123456789.125])
def test_shared_and_odd_details_are_written_as_pandas_writes_them(time):
    nodes = {f"node-{i}": "NodeResourcesFit: Insufficient cpu" for i in range(200)}
    records = [Record(time, i, "SchedulingFailed", "apps/a,b", {"nodes": nodes if i % 2 else dict(nodes),
                                                              "message": 'say "x"\nnext', "attempts": i})
               for i in range(5)]
    records += [Record(time, 5, "K", "", {}), Record(time, 6, "K", "s", {1: "a key that is no string"}),
                Record(time, 7, "K", "s", {"big": list(range(2000))})]
    assert b"".join(events_csv_chunks(records)).decode("utf-8") == whole(records)


def test_no_records_give_the_header_alone():
    assert b"".join(events_csv_chunks([])).decode("utf-8") == whole([]) == "time,seq,kind,subject,details\n"
