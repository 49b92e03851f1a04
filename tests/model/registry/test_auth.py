"""The registry's auth as data (`twin/model/registry/auth.py`, openshift/image-registry
`pkg/dockerregistry/server/auth.go`, `spec/openshift-cluster.md` §3)."""

from __future__ import annotations

import pytest

from twin.model.registry.auth import GET, REVIEWS, UPDATE, answer, verbs_of
from twin.model.registry.requests import Kind


@pytest.mark.parametrize("roles, kind, expected", [
    # a pull needs `get imagestreams/layers` (verifyImageStreamAccess): the puller roles have it
    (["system:image-puller"], Kind.MANIFEST_GET, None),
    (["registry-viewer"], Kind.BLOB_GET, None),
    # a token without the verb is refused with 401 (ErrOpenShiftAccessDenied), never 403
    ([], Kind.MANIFEST_GET, 401),
    (["registry-viewer"], Kind.UPLOAD_START, 401),
    (["system:image-puller"], Kind.MANIFEST_PUT, 401),
    # a push needs `update` as well (appendAccessRecords: push and pull records)
    (["system:image-pusher"], Kind.UPLOAD_COMMIT, None),
    (["system:image-builder"], Kind.MANIFEST_PUT, None),
    (["registry-editor"], Kind.UPLOAD_CHUNK, None),
    # /openshift/token validates the password only (token.go); the challenge ping asks nothing
    ([], Kind.TOKEN_GET, None),
    ([], Kind.PING, None),
])
def test_which_answer_each_role_gets(roles, kind, expected):
    assert answer(kind, verbs_of(roles)) == expected


def test_with_the_api_server_unreachable_every_reviewed_request_gets_400_but_the_challenge_does_not():
    assert answer(Kind.MANIFEST_GET, GET | UPDATE, api_up=False) == 400
    assert answer(Kind.PING, 0, api_up=False) is None


@pytest.mark.parametrize("kind, calls", [
    (Kind.MANIFEST_GET, 2), (Kind.BLOB_GET, 2), (Kind.BLOB_HEAD, 2),  # SelfSubjectReview + 1 SSAR (pull)
    (Kind.UPLOAD_START, 3), (Kind.MANIFEST_PUT, 3),  # + 2 SSARs (push and pull records)
    (Kind.TOKEN_GET, 1), (Kind.PING, 0),
])
def test_each_request_costs_a_self_subject_review_and_one_access_review_per_record(kind, calls):
    assert REVIEWS[kind] == calls


@pytest.mark.parametrize("pod_namespace, image_namespace, pullers, may_pull, why", [
    ("apps", "apps", {}, True, "the namespace's own system:image-puller binding (GetImagePullerProjectRoleBindings)"),
    ("apps", "openshift", {}, True, "shared-resource-viewer in openshift is bound to system:authenticated"),
    ("apps", "team-b", {}, False, "no binding in another namespace: 401"),
    ("apps", "team-b", {"team-b": frozenset({"apps"})}, True, "oc policy add-role-to-group system:image-puller"),
    ("apps", "team-b", {"team-b": frozenset({"other"})}, False, "a grant to another namespace's service accounts"),
    ("apps", "team-b", {"apps": frozenset({"team-b"})}, False, "a grant the other way round"),
])
def test_a_pod_may_pull_from_its_own_namespace_openshift_and_namespaces_that_grant_it(
        pod_namespace, image_namespace, pullers, may_pull, why):
    from twin.model.registry.auth import namespace_mask
    mask = namespace_mask(pod_namespace, image_namespace, pullers)
    verbs = verbs_of(["system:image-puller"]) & mask
    assert (answer(Kind.MANIFEST_GET, verbs) is None) is may_pull
