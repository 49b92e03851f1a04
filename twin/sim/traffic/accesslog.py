"""The twin's access log (`twin run --access-log`): one line per request a registry pod
answered, as the OpenShift registry's own access-log handler writes it (logrus text,
msg "response", every request including 429s and 503s: `docs/calibration.md`, "The access
log"), so `twin calibrate` can read the twin's log as it reads a real one (round trips).

* `time`: the response's time, RFC 3339 with nanoseconds, simulated seconds counted from
  1970-01-01T00:00:00Z (the log's clock is the run's);
* `http.response.duration`: arrival to response, queueing included (the outermost
  handler's view), as a Go duration;
* `http.response.written`: the body bytes (a blob's or a manifest's for a 200 GET, 0
  otherwise);
* paths: the request kinds' routes. The data plane does not carry image names, so every
  request uses the repository `twin/images`, a manifest its session's number as the tag
  and a blob `sha256:` of its blob id, zero-padded: distinct blobs stay distinct.
"""

from __future__ import annotations

import time as clock

from twin.model.registry.requests import Kind

ROUTES = {
    Kind.MANIFEST_GET: ("GET", "/v2/twin/images/manifests/s{tag}"),
    Kind.MANIFEST_HEAD: ("HEAD", "/v2/twin/images/manifests/s{tag}"),
    Kind.BLOB_GET: ("GET", "/v2/twin/images/blobs/sha256:{blob:064x}"),
    Kind.BLOB_HEAD: ("HEAD", "/v2/twin/images/blobs/sha256:{blob:064x}"),
    Kind.UPLOAD_START: ("POST", "/v2/twin/images/blobs/uploads/"),
    Kind.UPLOAD_CHUNK: ("PATCH", "/v2/twin/images/blobs/uploads/u{tag}-{blob}"),
    Kind.UPLOAD_COMMIT: ("PUT", "/v2/twin/images/blobs/uploads/u{tag}-{blob}?digest=sha256:{blob:064x}"),
    Kind.MANIFEST_PUT: ("PUT", "/v2/twin/images/manifests/s{tag}"),
    Kind.TOKEN_GET: ("GET", "/openshift/token"),
    Kind.METRICS_GET: ("GET", "/extensions/v2/metrics"),
    Kind.PING: ("GET", "/v2/"),
    Kind.MANIFEST_DELETE: ("DELETE", "/v2/twin/images/manifests/sha256:{blob:064x}"),
    Kind.BLOB_DELETE: ("DELETE", "/v2/twin/images/blobs/sha256:{blob:064x}"),
    Kind.ADMIN_BLOB_DELETE: ("DELETE", "/admin/blobs/sha256:{blob:064x}"),
}
BODY_KINDS = (Kind.MANIFEST_GET, Kind.BLOB_GET)


def lines(rows, pod: str) -> str:
    """The lines of ended requests (`exchange.Req`) answered by `pod`."""
    out = []
    for r in rows:
        if r.code < 100:  # no HTTP answer (a broken or refused connection): the handler logged nothing
            continue
        method, path = ROUTES[Kind(r.kind)]
        uri = path.format(tag=max(r.tag, 0), blob=max(r.blob, 0))
        written = r.nbytes if r.code == 200 and r.kind in BODY_KINDS else 0
        out.append(f'time="{rfc3339(r.end)}" level=info msg=response http.request.method={method} '
                   f'http.request.uri="{uri}" http.request.useragent=twin http.response.duration={go_duration(r.end - r.time)} '
                   f'http.response.status={r.code} http.response.written={written} kubernetes.pod={pod}\n')
    return "".join(out)


def rfc3339(seconds: float) -> str:
    whole = int(seconds // 1)
    nanos = int(round((seconds - whole) * 1e9))
    if nanos >= 1_000_000_000:
        whole, nanos = whole + 1, nanos - 1_000_000_000
    return clock.strftime("%Y-%m-%dT%H:%M:%S", clock.gmtime(whole)) + f".{nanos:09d}Z"


def go_duration(seconds: float) -> str:
    """Go's `time.Duration.String` for a non-negative duration."""
    nanos = int(round(seconds * 1e9))
    if nanos < 1000:
        return f"{nanos}ns"
    if nanos < 1_000_000:
        return f"{nanos / 1e3:g}µs"
    if nanos < 1_000_000_000:
        return f"{nanos / 1e6:.6f}".rstrip("0").rstrip(".") + "ms"
    minutes, rest = divmod(nanos, 60_000_000_000)
    text = f"{rest / 1e9:.9f}".rstrip("0").rstrip(".") + "s"
    return (f"{minutes}m" if minutes else "") + text
