"""The three request-log line formats a registry writes, as vectorised regexes.

* **logrus JSON** (distribution `log.formatter: json`; `configureLogging` in distribution
  `registry/registry.go` and IR `pkg/cmd/dockerregistry/dockerregistry.go` set
  `logrus.JSONFormatter{TimestampFormat: time.RFC3339Nano}`). logrus marshals its fields as
  a Go map, so `encoding/json` writes the keys sorted; the regex below relies on that order
  (a line it does not match is decoded with `json.loads` instead). `encoding/json` escapes
  `&`, `<`, `>` as `\\u0026`… (upload URIs carry `\\u0026digest=`): escaped values are
  decoded.
* **logrus text** (the formatter when none is configured: the OpenShift registry's
  `images/dockerregistry/config.yml` sets none, and the operator sets only
  `REGISTRY_LOG_LEVEL`, `spec/registry-operator.md` §1.1): `time="…" level=info
  msg="response completed" key=value…`, the data keys sorted after time, level, msg; a
  value is `%q`-quoted when it holds anything but `[A-Za-z0-9-._/@^+]` (logrus
  `text_formatter.go` `needsQuoting`).
* **Apache combined** as gorilla/handlers `CombinedLoggingHandler` writes it (distribution
  `registry/registry.go` wraps its handler with it unless `log.accesslog.disabled`):
  `host - user [02/Jan/2006:15:04:05 -0700] "METHOD URI PROTO" status size "referer"
  "user-agent"`. It has **no duration** and whole-second times.

Which lines of the logrus logs are requests (distribution `registry/handlers/app.go`):
`ServeHTTP` logs "response completed" (info) for a status in 200..399; the dispatcher's
`logError` logs "response completed with error" (error level) once per error a handler
pushed, so a request with two errors has two lines (deduplicated here by
`http.request.id`); a request refused before a handler (a 401 auth challenge) has no line
at all. The OpenShift registry adds its own outermost access log
(`logrusLoggingHandler`, IR `dockerregistry.go`): msg "response" (info) for every request,
probes, limiter 429s and health-gate 503s included. At `logLevel: Normal` (info) both are
written; with the deprecated `logging: 1` (warn) neither is.
"""

from __future__ import annotations

import json
import re

_STR = r'(?:[^"\\]|\\.)*'
_QVAL = rf'"{_STR}"|[^ "]*'

JSON_LINE = re.compile(
    r"\{"
    rf'(?:.*?"http\.request\.id":"(?P<request_id>{_STR})")?'
    rf'.*?"http\.request\.method":"(?P<method>{_STR})"'
    rf'.*?"http\.request\.uri":"(?P<uri>{_STR})"'
    rf'(?:.*?"http\.request\.useragent":"(?P<user_agent>{_STR})")?'
    rf'.*?"http\.response\.duration":"(?P<duration>{_STR})"'
    r'.*?"http\.response\.status":(?P<status>\d+)'
    r'.*?"http\.response\.written":(?P<written>-?\d+)'
    rf'.*?"msg":"(?P<msg>{_STR})"'
    rf'.*?"time":"(?P<time>{_STR})"'
)

TEXT_LINE = re.compile(
    rf'time=(?P<time>{_QVAL}) level=\S+ msg=(?P<msg>{_QVAL})'
    rf'(?:.*? http\.request\.id=(?P<request_id>{_QVAL}))?'
    rf'.*? http\.request\.method=(?P<method>{_QVAL})'
    rf'.*? http\.request\.uri=(?P<uri>{_QVAL})'
    rf'(?:.*? http\.request\.useragent=(?P<user_agent>{_QVAL}))?'
    rf'.*? http\.response\.duration=(?P<duration>{_QVAL})'
    rf'.*? http\.response\.status=(?P<status>{_QVAL})'
    rf'.*? http\.response\.written=(?P<written>{_QVAL})'
)

COMBINED_LINE = re.compile(
    r'(?P<host>\S+) \S+ (?P<user>\S+) \[(?P<time>[^\]]+)\] '
    r'"(?P<method>[A-Za-z]+) (?P<uri>\S+) (?P<proto>[^"]*)" (?P<status>\d{3}) (?P<written>\d+|-) '
    rf'"(?P<referer>{_STR})" "(?P<user_agent>{_STR})"'
)

FIELDS = ("request_id", "method", "uri", "user_agent", "duration", "status", "written", "msg", "time")
"""What each logrus regex captures (combined captures method, uri, status, written, time,
user_agent)."""

JSON_KEYS = {"request_id": "http.request.id", "method": "http.request.method", "uri": "http.request.uri",
             "user_agent": "http.request.useragent", "duration": "http.response.duration",
             "status": "http.response.status", "written": "http.response.written", "msg": "msg", "time": "time"}
REQUIRED = ("method", "uri", "duration", "status", "written", "time")

RESPONSE_MESSAGES = ("response", "response completed", "response completed with error")

DESCRIPTION = {
    "json": 'a logrus JSON line ({"…","msg":"…","time":"…"})',
    "text": 'a logrus text line (time="…" level=… msg=…)',
    "combined": 'an Apache combined-log line (host - user [time] "METHOD URI PROTO" status size "referer" "agent")',
}


def unescape_json(value: str) -> str:
    return json.loads(f'"{value}"')


def unquote_go(value: str) -> str:
    """A logrus text value: bare, or Go `%q` (strconv.Quote: JSON-like escapes plus \\xNN,
    \\a, \\v…)."""
    if not value.startswith('"'):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value[1:-1].encode("latin-1", "backslashreplace").decode("unicode_escape")
