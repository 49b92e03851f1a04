"""How the OpenShift registry authenticates and authorizes a request, as data
(`spec/openshift-cluster.md` §3; openshift/image-registry `pkg/dockerregistry/server/auth.go`).

* A request without credentials is answered 401 with a `Bearer` challenge pointing at
  `/openshift/token`, with no API call: the clients' first `GET /v2/` (`Kind.PING`).
* `/openshift/token` with Basic credentials validates the password (an API token) with one
  **SelfSubjectReview** and echoes it back (`token.go`): one API call.
* Every other request carries the token: one SelfSubjectReview (`verifyOpenShiftUser`),
  then one **SelfSubjectAccessReview** per access record (`verifyImageStreamAccess`):
  a pull is `get imagestreams/layers`, a push `update imagestreams/layers`, and
  distribution's `appendAccessRecords` gives a blob upload (POST, PATCH, PUT) and a
  manifest PUT both a pull and a push record. Nothing is cached: every request costs its
  reviews again, each a round trip to the API server.
* A record whose verb the token's roles lack is refused with **401** (a `Basic`
  challenge: `ErrOpenShiftAccessDenied`), not 403; distribution turns every challenge
  into 401 UNAUTHORIZED (`registry/handlers/app.go` `authorized`). 403 DENIED comes only
  from a refused ImageStreamMapping at manifest PUT (a missing namespace, no right to
  create the stream, the image-stream quota): `twin/model/images/mapping.py`.
* When the API server cannot be reached the access controller fails with an error that
  is not a challenge: **400** without one (`app.go`).
* The metrics endpoint checks its token's access the same way (`metrics` get access): a
  SelfSubjectReview and one access review [inferred: the same auth path].

Roles and the verbs they give on `imagestreams/layers` (openshift-apiserver bootstrap
policy, `policy.go`): `system:image-puller` and `registry-viewer` get;
`system:image-pusher`, `system:image-builder` and `registry-editor` get and update.
Default identities (the per-namespace bindings, `GetBootstrapServiceAccountProjectRoleBindings`):
a kubelet pulls with its pod's service account, in group `system:serviceaccounts:<ns>`,
bound to `system:image-puller`; a build pushes as the `builder` service account, bound to
`system:image-builder` and, as a service account of its namespace, `system:image-puller`;
the twin's other pulls come from users with `registry-viewer`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

from twin.model.registry.batch import Client
from twin.model.registry.requests import Kind

GET, UPDATE = 1, 2
"""Verbs on `imagestreams/layers`, as bits."""
METRICS = 4
"""`get` on the registry's metrics (`prometheus-k8s` has it)."""
CREATE_STREAMS = 8
"""`create` on `imagestreams`: what the registry's user-client create of a pushed stream
that does not exist needs (`model/images/mapping.py`); of these roles only
`registry-editor` has it (openshift-apiserver bootstrap policy `policy.go`: read-write on
imagestreams, imagestreammappings, imagestreamtags...)."""
PRUNE = 16
"""Cluster-wide `delete images` (`verifyPruneAccess`): what a DELETE other than an upload's
and `DELETE /admin/blobs/<digest>` ask for (auth.go: the "repository" record's "delete"
action and the "admin" record's "prune" action both call `verifyPruneAccess`,
`verifyWithGlobalSAR(ctx, "images", "", "delete", ...)`)."""

NEEDS = MappingProxyType({
    Kind.MANIFEST_GET: GET, Kind.MANIFEST_HEAD: GET, Kind.BLOB_GET: GET, Kind.BLOB_HEAD: GET,
    Kind.UPLOAD_START: GET | UPDATE, Kind.UPLOAD_CHUNK: GET | UPDATE, Kind.UPLOAD_COMMIT: GET | UPDATE,
    Kind.MANIFEST_PUT: GET | UPDATE, Kind.TOKEN_GET: 0, Kind.METRICS_GET: METRICS, Kind.PING: 0,
    Kind.MANIFEST_DELETE: PRUNE, Kind.BLOB_DELETE: PRUNE, Kind.ADMIN_BLOB_DELETE: PRUNE,
})
"""The verbs a request's access records ask for."""

REVIEWS = MappingProxyType({
    Kind.MANIFEST_GET: 2, Kind.MANIFEST_HEAD: 2, Kind.BLOB_GET: 2, Kind.BLOB_HEAD: 2,
    Kind.UPLOAD_START: 3, Kind.UPLOAD_CHUNK: 3, Kind.UPLOAD_COMMIT: 3, Kind.MANIFEST_PUT: 3,
    Kind.TOKEN_GET: 1, Kind.METRICS_GET: 2, Kind.PING: 0,
    Kind.MANIFEST_DELETE: 3, Kind.BLOB_DELETE: 2, Kind.ADMIN_BLOB_DELETE: 2,
})
"""API calls per request: a SelfSubjectReview plus one SelfSubjectAccessReview per record.
A manifest DELETE makes one more, after auth: the image stream lookup that refuses to
delete a manifest its stream still names (IR `manifestservice.go` `Delete`,
`GetImageOfImageStream`), taken at the same latency."""

ROLE_VERBS = MappingProxyType({
    "system:image-puller": GET, "registry-viewer": GET,
    "system:image-pusher": GET | UPDATE, "system:image-builder": GET | UPDATE,
    "registry-editor": GET | UPDATE | CREATE_STREAMS,
    "prometheus-k8s": METRICS,
    "system:image-pruner": PRUNE,
})
"""`system:image-pruner` is the ClusterRole CIRO creates and binds to the `pruner` service
account the CronJob runs as (CIRO `pkg/resource/prunerclusterrole.go`: `delete` on
`images`, `get, list` on images and imagestreams, `update` on `imagestreams/status`, reads
of the workloads; `prunerclusterrolebinding.go`). It has no verb on `imagestreams/layers`."""

DEFAULT_ROLES: Mapping[Client, tuple[str, ...]] = MappingProxyType({
    Client.PULL: ("registry-viewer",), Client.PUSH: ("system:image-builder", "system:image-puller"),
    Client.KUBELET: ("system:image-puller",), Client.SCRAPE: ("prometheus-k8s",),
    Client.PRUNE: ("system:image-pruner",),
})

UNAUTHORIZED, BAD_REQUEST = 401, 400


def _default_verbs() -> tuple[int, ...]:
    return tuple(verbs_of(DEFAULT_ROLES[client]) for client in Client)


def verbs_of(roles: Iterable[str]) -> int:
    """The verbs a set of roles gives.

    >>> verbs_of(["registry-viewer"]) == GET, verbs_of(["system:image-builder"]) == GET | UPDATE
    (True, True)
    """
    verbs = 0
    for role in roles:
        verbs |= ROLE_VERBS[role]
    return verbs


def answer(kind: Kind, verbs: int, api_up: bool = True) -> int | None:
    """The auth layer's answer to a request of `kind` from a token with `verbs`: None when
    it lets the request through, else the status it answers with.

    >>> answer(Kind.MANIFEST_PUT, GET), answer(Kind.MANIFEST_GET, GET), answer(Kind.BLOB_GET, GET, api_up=False)
    (401, None, 400)
    """
    if REVIEWS[kind] and not api_up:
        return BAD_REQUEST
    needed = NEEDS[kind]
    return UNAUTHORIZED if needed & ~verbs else None


DEFAULT_VERBS: tuple[int, ...] = _default_verbs()
"""What each client's token may do by default, indexed by `Client`."""


SHARED_NAMESPACE = "openshift"
"""Every authenticated user may pull from it: openshift-apiserver's bootstrap policy binds
the `shared-resource-viewer` role there (its rule `get imagestreams/layers`, "so anyone
can pull from openshift/* image streams") to `system:authenticated`."""


def namespace_mask(pod_namespace: str, image_namespace: str, pullers: Mapping[str, frozenset[str]]) -> int:
    """The verbs a pod's service account may use on an image stream of `image_namespace`
    (the mask over its client's roles): a pod pulls with its namespace's service account
    token, whose `system:image-puller` binding is in its own namespace only
    (`GetImagePullerProjectRoleBindings`: group `system:serviceaccounts:<ns>`), so it may
    pull from its own namespace, from `openshift`, and from a namespace whose
    `pullers` (`oc policy add-role-to-group system:image-puller
    system:serviceaccounts:<pod ns> -n <image ns>`) name its namespace; elsewhere it has
    no verb, and the registry answers its manifest GET 401.

    >>> namespace_mask("apps", "apps", {}) == -1, namespace_mask("apps", "openshift", {}) == -1
    (True, True)
    >>> namespace_mask("apps", "team-b", {}), namespace_mask("apps", "team-b", {"team-b": frozenset({"apps"})})
    (0, -1)
    """
    if image_namespace in (pod_namespace, SHARED_NAMESPACE) or pod_namespace in pullers.get(image_namespace, ()):
        return -1
    return 0
