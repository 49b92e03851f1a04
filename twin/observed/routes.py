"""Request paths to the twin's request kinds, matched as distribution's router does.

distribution `registry/api/v2/descriptors.go` (`routeDescriptors`, built into a gorilla/mux
router by `routes.go` `RouterWithPrefix`) registers, under `/v2/`:

    base               /v2/
    manifest           /v2/{name}/manifests/{reference: tag | digest}
    tags               /v2/{name}/tags/list
    blob               /v2/{name}/blobs/{digest}
    blob-upload        /v2/{name}/blobs/uploads/
    blob-upload-chunk  /v2/{name}/blobs/uploads/{uuid:[a-zA-Z0-9-_.=]+}
    catalog            /v2/_catalog

`{name}` is `reference.NameRegexp` (distribution `reference/regexp.go`): an optional
domain then path components `[a-z0-9]+` joined by `.`, `_`, `__` or dashes, separated by
`/`; so repositories may hold slashes (`apps/one`). The digest is go-digest's
`DigestRegexp`, the tag `[\\w][\\w.-]{0,127}`. The component regex here is upstream's with
the empty dash separator (`[-]*`) written as `-+`: the same language, but without the
nested ambiguity that makes Python's backtracking engine slow (Go's RE2 does not backtrack).

The OpenShift registry adds `/openshift/token` and `/extensions/v2/metrics` (IR
`pkg/dockerregistry/server/app.go`), and answers the probes `/healthz` and `/` itself
(`spec/registry-operator.md` §4.1).

Kinds are `twin.model.registry.requests.Kind` names, lower-case; what has no kind there
(tags list, catalog, DELETE, upload status GET, probes, anything unrouted) is "other".
A `/v2/` ping is `ping` whatever its answer (the twin's PING is the 401 challenge; a
registry without auth answers 200). HEAD `/v2/` is a ping too.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from twin.model.registry.requests import Kind

_COMPONENT = r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
_DOMAIN_PART = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_DOMAIN = rf"{_DOMAIN_PART}(?:\.{_DOMAIN_PART})*(?::[0-9]+)?"
NAME = rf"(?:{_DOMAIN}/)?{_COMPONENT}(?:/{_COMPONENT})*"
DIGEST = r"[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+"
TAG = r"[\w][\w.-]{0,127}"

ROUTE = re.compile(
    rf"/v2/(?P<name>{NAME})/(?:"
    rf"manifests/(?P<manifest>{TAG}|{DIGEST})"
    rf"|blobs/uploads/(?P<chunk>[a-zA-Z0-9-_.=]+)?"
    rf"|blobs/(?P<blob>{DIGEST})"
    rf"|(?P<tags>tags/list))"
)
"""The name routes of `descriptors.go`, tried on a whole path (`fullmatch`)."""

KINDS = tuple(k.name.lower() for k in Kind) + ("other",)

_FIXED = {"/v2/": "base", "/v2/_catalog": "catalog", "/openshift/token": "token",
          "/extensions/v2/metrics": "metrics"}


_NAME = re.compile(NAME)
_UUID = re.compile(r"[a-zA-Z0-9-_.=]+")
_NAME_ROUTES = (("/manifests/", "manifest", re.compile(rf"{TAG}|{DIGEST}")), ("/tags/list", "tags", None),
                ("/blobs/", "blob", re.compile(DIGEST)), ("/blobs/uploads/", "blob_upload", None),
                ("/blobs/uploads/", "blob_upload_chunk", _UUID))
"""descriptors.go's name routes in registration order (gorilla/mux takes the first that
matches): the segment after the name, the route, the pattern of the last segment."""


def route_of(path: str) -> tuple[str, str]:
    """(route, repository) of one path: route is a `routes.go` route name with `_` for
    `-` (as the upstream metrics label it: `blob_upload_chunk`), "token", "metrics" or ""
    when nothing matches; repository is "" for routes without a name.

    The last segment of every name route has no `/`, so each route is tried on the path's
    last `/manifests/`, `/tags/list`, `/blobs/`, `/blobs/uploads/` and the name checked on
    its own: the answers of `ROUTE.fullmatch` in gorilla's order, several times faster (a
    test compares them)."""
    fixed = _FIXED.get(path)
    if fixed:
        return fixed, ""
    if not path.startswith("/v2/"):
        return "", ""
    rest = path[4:]
    for segment, route, last_pattern in _NAME_ROUTES:
        name, found, last = rest.rpartition(segment)
        if not found or (last_pattern is None and last) or (last_pattern is not None and not last_pattern.fullmatch(last)):
            continue
        if _NAME.fullmatch(name):
            return route, name
    return "", ""


def routes(paths) -> tuple[np.ndarray, np.ndarray]:
    """`route_of` over a sequence of paths, each distinct path matched once."""
    codes, uniques = pd.factorize(pd.Series(paths, dtype=object), use_na_sentinel=False)
    table = [route_of(p) for p in uniques]
    route = np.array([r for r, _ in table] or [""], dtype=object)[codes]
    repo = np.array([n for _, n in table] or [""], dtype=object)[codes]
    return route, repo


_BY_ROUTE_METHOD = {
    ("base", "GET"): "ping", ("base", "HEAD"): "ping",
    ("manifest", "GET"): "manifest_get", ("manifest", "HEAD"): "manifest_head", ("manifest", "PUT"): "manifest_put",
    ("blob", "GET"): "blob_get", ("blob", "HEAD"): "blob_head",
    ("blob_upload", "POST"): "upload_start", ("blob_upload_chunk", "PATCH"): "upload_chunk",
    ("token", "GET"): "token_get", ("metrics", "GET"): "metrics_get",
}


def kind_of(route: str, method: str, has_digest: bool = False) -> str:
    """The twin's kind of a routed request: a PUT to an upload commits it only with
    `?digest=` (distribution `blobupload.go` `PutBlobUploadComplete`), otherwise "other"."""
    method = method.upper()
    if route == "blob_upload_chunk" and method == "PUT":
        return "upload_commit" if has_digest else "other"
    return _BY_ROUTE_METHOD.get((route, method), "other")


def kinds(route: np.ndarray, method: np.ndarray, uri: list[str]) -> np.ndarray:
    """`kind_of` over columns; `uri` (with its query) tells an upload commit."""
    commit = (route == "blob_upload_chunk") & (method == "PUT")
    has_digest = np.zeros(len(route), dtype=bool)
    for i in np.flatnonzero(commit):
        has_digest[i] = _DIGEST_QUERY.search(uri[i]) is not None
    route_codes, route_names = pd.factorize(route)
    method_codes, method_names = pd.factorize(method)
    key = (route_codes * len(method_names) + method_codes) * 2 + has_digest
    codes, uniques = pd.factorize(key)
    table = [kind_of(route_names[k // 2 // len(method_names)], method_names[k // 2 % len(method_names)], bool(k % 2))
             for k in uniques]
    return np.array(table or ["other"], dtype=object)[codes]


_DIGEST_QUERY = re.compile(r"[?&]digest=")


HANDLER_KIND = {(h, m.lower()): k for (h, m), k in _BY_ROUTE_METHOD.items()} | {("blob_upload_chunk", "put"): "upload_commit"}
"""(upstream `registry_http_*{handler, method}` labels) -> kind. The upstream metrics name
the route (`handler`) and promhttp's lower-case method; a PUT on blob_upload_chunk is
taken as a commit (distribution has no other PUT on that route)."""


def handler_kind(handler: str, method: str) -> str:
    return HANDLER_KIND.get((handler, method.lower()), "other")
