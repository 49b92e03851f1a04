"""An image stream tag always points to a manifest the registry has, also after pruning
(issue 11, Tests): over generated pushes and pruner runs (keepTagRevisions 0-3, with and
without a write limiter that refuses DELETEs), at the end

- no revision a tag keeps was pruned: its digest is served (not in the pruned references)
  and none of its blobs was deleted; a tag left without revisions (keepTagRevisions 0,
  nothing naming it) is dropped, as oc drops a tag without items;
- a pull of every tag's current image succeeds (no 404);
- the registry deleted only blobs no kept revision has."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from twin.model.registry.batch import Client
from twin.run import run_scenario
from twin.scenarios.load import scenario_from_body
from twin.sim.traffic.sessions import PullSession

FAST = settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
MINUTE = 60
TAGS = ("apps/app-0:latest", "apps/app-1:latest")
EVENTS = st.lists(st.tuples(st.integers(1, 14), st.sampled_from(TAGS + ("prune",))), min_size=2, max_size=8)


def body(events, keep: int, tight: bool) -> dict:
    faults = [{"at": at * MINUTE, "prune": {}} if what == "prune" else
              {"at": at * MINUTE, "push": {"image": what, "changed_layers": 1}} for at, what in sorted(events)]
    spec = {"replicas": 2, "managementState": "Managed", "storage": {"s3": {}}}
    if tight:
        spec["requests"] = {"write": {"maxRunning": 1, "maxInQueue": 1, "maxWaitInQueue": "1s"}}
    return {"name": "prune-property", "seed": 1, "duration": "16m",
            "cluster": {"generate": {"zones": 2, "workers_per_zone": 2, "control_plane": 0}},
            "registry": {"config": {"spec": spec},
                         "pruner": {"keepTagRevisions": keep, "keepYoungerThanDuration": "0s", "clock_at_start": "12:00"}},
            "faults": faults}


@FAST
@given(EVENTS, st.integers(0, 3), st.booleans())
def test_an_image_stream_tag_always_points_to_a_manifest_the_registry_has(events, keep, tight):
    result = run_scenario(scenario_from_body(body(events, keep, tight), None, "prune-property"))
    engine = result.traffic.engine
    plane, streams = engine.plane, engine.pruner.streams
    for stream_tag, history in streams.history.items():
        assert history or (keep == 0 and stream_tag in streams.gone), stream_tag
        for event in history:
            assert event.reference not in plane.pruned_images
            assert not {event.image.config, *event.image.layers} & plane.pruned_blobs
    ended = []
    tags = sorted(t for t, history in streams.history.items() if history)
    for stream_tag in tags:
        image = streams.latest(stream_tag).image
        PullSession(plane, int(Client.PULL), engine.params.clients.pull, image, lambda s, t: ended.append(s),
                    blobs=list(zip(image.layers, image.layer_bytes))).start()
    plane.run_until(result.world.now + 120)
    assert len(ended) == len(tags) and all(s.code != 404 for s in ended)
