"""What a tagged manifest PUT's ImageStreamMapping meets at the API server, and what the
client gets: openshift/image-registry d4cce000 `pkg/imagestream/imagestream.go`
`CreateImageStreamMapping` (line 408 on) and `pkg/dockerregistry/server/manifestservice.go`
`Put` (lines 197–210), distribution's manifest handler mapping ErrAccessDenied to 403."""

from __future__ import annotations

import pytest

from twin.model.images.mapping import ImageStreamsInApi, StreamState, mapping_answer, stream_state
from twin.model.registry.auth import CREATE_STREAMS, verbs_of

ANSWERS = [
    # (state, the user may create streams, API calls, status, why - upstream line)
    (StreamState.EXISTS, False, 1, 201, "the mapping is created at once (imagestream.go:418-422)"),
    (StreamState.EXISTS, True, 1, 201, "rights to create do not matter for an existing stream"),
    (StreamState.NO_NAMESPACE, True, 1, 403, "NotFound of kind namespaces is forbidden (imagestream.go:445-451)"),
    (StreamState.NEW, False, 2, 403, "the user-client create is Forbidden (imagestream.go:467-477)"),
    (StreamState.NEW, True, 3, 201, "created, then the mapping POSTed again (imagestream.go:467-492)"),
    (StreamState.QUOTA_FULL, True, 2, 403, "the create exceeds the quota (imagestream.go:472)"),
    (StreamState.QUOTA_FULL, False, 2, 403, "refused for the role before the quota counts"),
]


@pytest.mark.parametrize("state, can_create, calls, status, why", ANSWERS, ids=[a[4] for a in ANSWERS])
def test_each_mapping_outcome_costs_its_api_calls_and_gives_its_status(state, can_create, calls, status, why):
    assert mapping_answer(state, can_create) == (calls, status)


ROLES = [
    (("registry-editor",), True, "registry-editor has read-write on imagestreams"),
    (("system:image-builder", "system:image-puller"), False, "a build's service account: layers only"),
    (("system:image-pusher",), False, "system:image-pusher: get and update imagestreams/layers only"),
    (("registry-viewer",), False, "a viewer creates nothing"),
]


@pytest.mark.parametrize("roles, creates, why", ROLES, ids=[r[2] for r in ROLES])
def test_only_roles_with_create_on_imagestreams_may_create_a_pushed_stream(roles, creates, why):
    assert bool(verbs_of(roles) & CREATE_STREAMS) is creates


STATES = [
    (True, True, 0, None, StreamState.EXISTS, "an existing stream"),
    (True, False, 0, None, StreamState.NEW, "a new stream, no quota"),
    (True, False, 4, 5, StreamState.NEW, "a new stream under the quota"),
    (True, False, 5, 5, StreamState.QUOTA_FULL, "a new stream at the quota"),
    (True, False, 0, 0, StreamState.QUOTA_FULL, "a quota of 0 refuses every new stream"),
    (False, False, 0, None, StreamState.NO_NAMESPACE, "no namespace"),
]


@pytest.mark.parametrize("namespace, stream, count, quota, expected, why", STATES, ids=[s[5] for s in STATES])
def test_the_state_a_push_meets_follows_the_api_servers_objects(namespace, stream, count, quota, expected, why):
    assert stream_state(namespace, stream, count, quota) == expected


def test_a_created_stream_exists_for_the_next_push_and_counts_against_the_quota():
    api = ImageStreamsInApi({"team-a"}, {"apps/app-0"}, {"team-a": 1})
    assert api.state("apps/app-0") == StreamState.EXISTS
    assert api.state("team-a/one") == StreamState.NEW
    api.created("team-a/one")
    assert api.state("team-a/one") == StreamState.EXISTS
    assert api.state("team-a/two") == StreamState.QUOTA_FULL
    assert api.state("elsewhere/x") == StreamState.NO_NAMESPACE
    assert api.state("apps/app-9") == StreamState.NEW  # a stream's namespace exists
