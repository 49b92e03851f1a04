"""What the API server answers the ImageStreamMapping a tagged manifest PUT writes, and what
the registry then answers the client (openshift/image-registry at d4cce000):

`pkg/dockerregistry/server/manifestservice.go` `Put` stores the manifest first
(`m.manifests.Put`, line 129), then POSTs an ImageStreamMapping with the **registry's**
client (`imagestream.CreateImageStreamMapping`, `pkg/imagestream/imagestream.go` line 408):

* the stream exists: the mapping is created (1 API call), the push gets 201;
* the mapping's quota is exceeded (`quotautil.IsErrorQuotaExceeded`, line 424): forbidden;
* the namespace does not exist (NotFound of kind `namespaces`, line 445): forbidden,
  after 1 call;
* the stream does not exist (NotFound of kind `imagestreammappings`, line 453): the registry
  creates the ImageStream with the **user's** client (line 467) — a user without `create`
  on `imagestreams`, or over the `openshift.io/imagestreams` quota, is refused (line 472:
  Forbidden, Unauthorized or quota exceeded → forbidden) after 2 calls; otherwise the
  mapping is POSTed again (line 490): 3 calls, 201.

Forbidden becomes `distribution.ErrAccessDenied` (manifestservice.go lines 206–208), which
distribution's manifest handler answers with `errcode.ErrorCodeDenied`: **403 DENIED**
(vendored `registry/handlers/manifests.go` line 351, `errcode/register.go` line 55) — the
only 403 the registry gives; a missing verb on `imagestreams/layers` is a 401 (`auth.py`).
The manifest stays in storage, the tag does not move.

Which roles may create image streams (openshift-apiserver bootstrap policy, `policy.go`):
`registry-editor` has read-write on `imagestreams`; `system:image-builder`,
`system:image-pusher`, `system:image-puller` and `registry-viewer` only verbs on
`imagestreams/layers` — so a build or a CI pusher can push to a stream that exists, not
create one.
"""

from __future__ import annotations

from enum import IntEnum

CREATED, DENIED = 201, 403


class StreamState(IntEnum):
    """What the API server holds for a push's target when its manifest PUT arrives."""

    EXISTS = 0  # the image stream exists
    NEW = 1  # the namespace exists, the stream does not, and the namespace's quota has room
    NO_NAMESPACE = 2  # the namespace does not exist
    QUOTA_FULL = 3  # the stream does not exist and `openshift.io/imagestreams` is used up


def mapping_answer(state: StreamState | int, can_create: bool) -> tuple[int, int]:
    """(API calls the registry makes, status the client gets) for a tagged manifest PUT
    whose storage write succeeded.

    >>> mapping_answer(StreamState.EXISTS, False), mapping_answer(StreamState.NEW, True)
    ((1, 201), (3, 201))
    >>> mapping_answer(StreamState.NEW, False), mapping_answer(StreamState.NO_NAMESPACE, True)
    ((2, 403), (1, 403))
    """
    if state == StreamState.EXISTS:
        return 1, CREATED
    if state == StreamState.NO_NAMESPACE:
        return 1, DENIED
    if state == StreamState.NEW and can_create:
        return 3, CREATED
    return 2, DENIED  # the stream create refused: forbidden, or the quota exceeded


IMAGESTREAMS_QUOTA = "openshift.io/imagestreams"
"""The ResourceQuota resource counting a namespace's image streams (OpenShift's image
quota evaluator); the only image quota OpenShift 4 enforces on a push."""


def stream_state(namespace_exists: bool, stream_exists: bool, streams_in_namespace: int,
                 quota: int | None) -> StreamState:
    """The state a push meets, from what the API server holds.

    >>> stream_state(True, False, 4, 5), stream_state(True, False, 5, 5), stream_state(False, False, 0, None)
    (<StreamState.NEW: 1>, <StreamState.QUOTA_FULL: 3>, <StreamState.NO_NAMESPACE: 2>)
    """
    if stream_exists:
        return StreamState.EXISTS
    if not namespace_exists:
        return StreamState.NO_NAMESPACE
    if quota is not None and streams_in_namespace >= quota:
        return StreamState.QUOTA_FULL
    return StreamState.NEW


class ImageStreamsInApi:
    """What the API server holds that a push's mapping meets: the namespaces, the image
    streams ("namespace/name") and each namespace's `openshift.io/imagestreams` quota."""

    def __init__(self, namespaces: set[str], streams: set[str], quotas: dict[str, int]) -> None:
        self.namespaces = set(namespaces) | {s.split("/", 1)[0] for s in streams}
        self.quotas = dict(quotas)
        self.streams: set[str] = set()
        self.counts: dict[str, int] = {}  # streams per namespace
        for stream in streams:
            self.created(stream)

    def state(self, stream: str) -> StreamState:
        namespace = stream.split("/", 1)[0]
        return stream_state(namespace in self.namespaces, stream in self.streams, self.counts.get(namespace, 0),
                            self.quotas.get(namespace))

    def created(self, stream: str) -> None:
        """`stream` exists: there as the run starts, or a push created it (its mapping
        answered 201 for a new stream)."""
        if stream not in self.streams:
            self.streams.add(stream)
            namespace = stream.split("/", 1)[0]
            self.counts[namespace] = self.counts.get(namespace, 0) + 1
