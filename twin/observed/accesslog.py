"""Registry request logs to one row per request (`read_access_log`).

Formats (`logformats.py` has the upstream details), detected per file from its first
line: distribution's logrus application log, JSON (`log.formatter: json`) or text (the
default, and what the OpenShift registry writes), and gorilla/handlers' Apache combined
access log. Lines that `oc logs --prefix` prefixed with `[pod/<name>/<container>] ` carry
their pod into the `pod` column.

Rows of the logrus logs: if the file has the OpenShift registry's own access-log lines
(msg "response", one per request, limiter 429s and probes included) those are the rows;
otherwise distribution's "response completed" and "response completed with error" lines
(one per request by `http.request.id`). Every other line is skipped and counted.

The frame: `time` (float seconds since the epoch when the response ended), `method`,
`uri` (with its query), `path`, `repository` ("" when the route has none), `kind`
(`routes.py`), `status`, `duration_seconds` (NaN in the combined format, which has no
duration), `bytes_written`, `user_agent` (None when absent), `pod` (None unless
prefixed), `line` (1-based). `frame.attrs`: `format`, `lines`, `skipped`, `source`.

Errors (`InputError` naming the file and the line): an empty or binary file, a line of
another format than the first (mixed formats), a line of no format, a truncated last line
(no newline at the end and not a whole record), a request line missing a field. Lines
other than requests are checked for their shape only (a JSON line is `{…}`, a text line
starts `time=`), not decoded.

Speed: plain Python over lists (pandas' string methods cost more per line than `re` or
`json.loads` themselves); repeated values (paths, times of the combined log) are resolved
once each. `bench/bench_observed.py` measures it.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import io
import json
import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from twin.errors import InputError
from twin.model.kube_io.reader import encoding_of as reader_encoding
from twin.model.quoting import shown
from twin.observed import godur, logformats as lf, routes

COLUMNS = ("time", "method", "uri", "path", "repository", "kind", "status", "duration_seconds", "bytes_written",
           "user_agent", "pod", "line")
_PREFIX = re.compile(r"\[pod/([^/\]]+)/[^\]]*\] ")
_TEXT_RESPONSE = re.compile(r' msg="?response[" ]')


def read_access_log(path: str | Path) -> pd.DataFrame:
    """The requests of one log file, in file order (streamed: the file is never held whole)."""
    source = str(path)
    with _no_gc():
        return _read(source, path)


@contextlib.contextmanager
def _no_gc():
    """The cyclic garbage collector rescans the million row tuples again and again while
    they are built (they hold no cycles): off while reading, as long as it was on."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _read(source: str, path) -> pd.DataFrame:
    reader = _Reader(source)
    try:
        f = open(path, "rb")
    except OSError as exc:
        raise InputError(source, "", f"cannot read file: {exc.strerror or exc}") from None
    with f:
        lines = enumerate(_lines(f, source), 1)
        for n, raw in lines:
            reader.feed(n, raw)
            if reader.format:
                break
        fast = None if reader.prefixed else _FAST.get(reader.format)
        n = reader.lines
        for n, raw in lines:
            if fast is None or not fast(reader, n, raw):
                reader.feed(n, raw)
        reader.lines = n
    columns = reader.finish()
    frame = _frame(source, _select(columns), reader.format)
    frame.attrs.update(format=reader.format, lines=reader.lines, skipped=reader.lines - len(frame), source=source)
    return frame


MAX_LINE = 2**20
"""Bytes of one log line (1 MiB). distribution's lines are a few hundred bytes; Go's
bufio.Scanner, with which line-oriented Go tools read logs, stops at 64 KiB
(`bufio.MaxScanTokenSize`). A longer line is refused instead of being held whole: a
gigabyte without a newline would otherwise be read into memory."""


def _lines(f, source: str):
    """The file's lines as UTF-8 bytes, at most MAX_LINE + 1 bytes each (a longer line
    comes in pieces, and `_Reader.feed` refuses the first). A UTF-8 byte-order mark is
    skipped; UTF-16 and UTF-32 with a byte-order mark (PowerShell's `oc logs > file`) are
    transcoded, as `twin.model.kube_io.reader` reads every other file."""
    encoding, bom = reader_encoding(f.peek(4)[:4])
    if encoding == "utf-8" or encoding == "utf-8-sig":
        f.read(bom)
        return iter(functools.partial(f.readline, MAX_LINE + 1), b"")
    return _transcoded(io.TextIOWrapper(f, encoding=encoding, errors="strict", newline=""), source)


def _transcoded(text, source: str):
    n = 0
    try:
        for n, line in enumerate(iter(functools.partial(text.readline, MAX_LINE + 1), ""), 1):
            yield line.encode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(source, f"line {n + 1}", f"expected {exc.encoding.upper()} text after its byte-order mark, "
                         f"got a binary file: {exc.reason}") from None


def _fast_json(reader: "_Reader", n: int, raw: bytes) -> bool:
    """A well-formed JSON line (most of them) without the general path's checks; False
    sends the line to `_Reader.feed` (blank lines, CRLF, the last line, anything odd)."""
    if raw[:1] != b"{" or raw[-2:] != b"}\n" or b"\x00" in raw:
        return False
    if b'"msg":"response' not in raw:
        return True
    try:
        record = _decode(raw.decode("utf-8"))
        msg = record["msg"]
        if msg not in lf.RESPONSE_MESSAGES:
            return True
        method, duration = record["http.request.method"], record["http.response.duration"]
        number = duration[:-2]
        if duration[-2:] == "ms" and number.replace(".", "", 1).isdigit():  # what Duration.String() writes mostly
            seconds = float(number) * 1e-3
        else:
            seconds = godur.go_seconds(duration)
        agent = record.get("http.request.useragent")
        strings = reader.strings
        reader.rows.append((n, None, record["time"], strings.setdefault(method, method), record["http.request.uri"],
                            None if agent is None else strings.setdefault(agent, agent), seconds,
                            record["http.response.status"], record["http.response.written"], strings.setdefault(msg, msg),
                            record.get("http.request.id") if msg == "response completed with error" else None))
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return False
    return True


_decode = json.JSONDecoder().decode


def _fast_combined(reader: "_Reader", n: int, raw: bytes) -> bool:
    if raw[-1:] != b"\n" or b"\x00" in raw:
        return False
    try:
        line = raw[:-1].decode("utf-8")
    except UnicodeDecodeError:
        return False
    m = lf.COMBINED_LINE.fullmatch(line)
    if m is None:
        return False
    time, method, uri, status, written, agent = m.group("time", "method", "uri", "status", "written", "user_agent")
    if "\\" in agent:
        return False
    reader.keep(n, None, (time, method, uri, agent, None, int(status), 0 if written == "-" else int(written),
                          "response", None))
    return True


_FAST = {"json": _fast_json, "combined": _fast_combined}


def read_access_logs(paths) -> pd.DataFrame:
    """Several logs (one per pod, say) as one frame sorted by time; `source` names the file."""
    frames = [read_access_log(p).assign(source=str(p)) for p in paths]
    return pd.concat(frames, ignore_index=True).sort_values("time", kind="stable", ignore_index=True)


_FIELDS = ("line", "pod", "time", "method", "uri", "user_agent", "duration", "status", "written", "msg", "request_id")


class _Reader:
    """One pass over the lines: format detection, checks, and the request fields kept as
    columns (a decoded JSON record is dropped as soon as its fields are read)."""

    def __init__(self, source: str):
        self.source, self.format, self.first, self.lines = source, "", 0, 0
        self.prefixed: bool | None = None
        self.rows: list[tuple] = []
        self.pending: tuple[int, str] | None = None  # the last line, until we know it ended with a newline
        self.strings: dict[str, str] = {}

    def feed(self, n: int, raw: bytes) -> None:
        self.lines = n
        if len(raw) > MAX_LINE:
            raise InputError(self.source, f"line {n}", f"expected log lines of at most {MAX_LINE // 2**20} MiB, "
                             "found a longer one (docs/limits.md)")
        if b"\x00" in raw:
            raise InputError(self.source, f"line {n}", "expected a text log, got a binary file (NUL bytes)")
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(self.source, f"line {n}", f"expected a UTF-8 text log (or UTF-16 with a byte-order "
                             f"mark), got a binary file: byte {exc.start} of the line is 0x{raw[exc.start]:02x}") from None
        if not line.endswith("\n"):
            self.pending = (n, line)  # only the last line can lack its newline
            return
        self._line(n, line.rstrip("\r\n"), truncated=False)

    def finish(self) -> dict[str, list]:
        if self.pending:
            n, line = self.pending
            self._line(n, line.rstrip("\r"), truncated=True)
        if not self.format:
            what = "an empty file" if self.lines == 0 else "only blank lines"
            raise InputError(self.source, "", f"expected registry log lines, got {what}")
        table = np.empty((len(self.rows), len(_FIELDS)), dtype=object)
        table[:] = self.rows if self.rows else table  # one C-level copy, not a zip over a million tuples
        self.rows = []
        return {field: table[:, i] for i, field in enumerate(_FIELDS)}

    def _line(self, n: int, line: str, truncated: bool) -> None:
        pod = None
        if self.prefixed is None and line.strip():
            self.prefixed = line.startswith("[pod/")
        if self.prefixed:
            match = _PREFIX.match(line)
            if match is None and line.strip():
                raise InputError(self.source, f"line {n}", "expected the `oc logs --prefix` form "
                                 f"[pod/<name>/<container>] like line {self.first or n}, got {_show(line)}")
            if match:
                pod, line = match[1], line[match.end():]
        if not line.strip():
            return
        fmt = _format_of(line)
        if not self.format:
            self.format, self.first = fmt, n
        elif fmt != self.format:
            raise InputError(self.source, f"line {n}", f"expected {lf.DESCRIPTION[self.format]} like line {self.first} "
                             f"(one format per file), got {lf.DESCRIPTION[fmt].split(' (')[0]}: {_show(line)}")
        fields = _PARSERS[fmt](self.source, n, line, truncated)
        if fields is not None:
            self.keep(n, pod, fields)

    def keep(self, n: int, pod, fields: tuple) -> None:
        time, method, uri, agent, duration, status, written, msg, request_id = fields
        strings = self.strings
        self.rows.append((n, pod, time, strings.setdefault(method, method), uri,
                          None if agent is None else strings.setdefault(agent, agent),
                          _duration(self.source, n, duration), status, written, strings.setdefault(msg, msg),
                          request_id))


def _duration(source: str, n: int, text) -> float:
    if text is None:
        return math.nan
    try:
        return godur.go_seconds(text)
    except (ValueError, TypeError):
        raise InputError(source, f"line {n}", f"expected a Go duration such as 1.5ms, got {shown(text)}") from None


def _format_of(line: str) -> str:
    return "json" if line.startswith("{") else "text" if line.startswith("time=") else "combined"


def _combined(source: str, n: int, line: str, truncated: bool):
    m = lf.COMBINED_LINE.fullmatch(line)
    if m is None:
        _fail(source, n, line, "combined", truncated)
    time, method, uri, status, written, agent = m.group("time", "method", "uri", "status", "written", "user_agent")
    if "\\" in agent:
        agent = lf.unquote_go(f'"{agent}"')
    return time, method, uri, agent, None, int(status), 0 if written == "-" else int(written), "response", None


def _json(source: str, n: int, line: str, truncated: bool):
    if not line.endswith("}"):
        _fail(source, n, line, "json", truncated)
    if '"msg":"response' not in line:
        return None
    try:
        record = json.loads(line)
    except (ValueError, RecursionError):  # RecursionError: a line nested past json's reach
        _fail(source, n, line, "json", truncated)
    if record.get("msg") not in lf.RESPONSE_MESSAGES:
        return None
    get = record.get
    fields = tuple(get(key) for key in _JSON_ORDER)
    if fields[7] != "response completed with error":
        fields = fields[:8] + (None,)
    for key, value in zip(_JSON_ORDER, fields):
        if value is None and key in _JSON_REQUIRED:
            raise InputError(source, f"line {n}", f"expected a request line with {key}, got {_show(line)}")
    return fields


_JSON_ORDER = ("time", "http.request.method", "http.request.uri", "http.request.useragent", "http.response.duration",
               "http.response.status", "http.response.written", "msg", "http.request.id")
_JSON_REQUIRED = frozenset(lf.JSON_KEYS[f] for f in lf.REQUIRED)
_TEXT_ORDER = ("time", "method", "uri", "user_agent", "duration", "status", "written", "msg", "request_id")


def _text(source: str, n: int, line: str, truncated: bool):
    if truncated and line.count('"') % 2:
        _fail(source, n, line, "text", True)
    if _TEXT_RESPONSE.search(line) is None:
        return None
    m = lf.TEXT_LINE.match(line)
    if m is None:
        if truncated:
            _fail(source, n, line, "text", True)
        missing = [k for f, k in lf.JSON_KEYS.items() if f in lf.REQUIRED and f != "time" and f" {k}=" not in line]
        raise InputError(source, f"line {n}", "expected a request line with "
                         f"{', '.join(missing) or 'its fields in logrus order'}, got {_show(line)}")
    values = m.group(*_TEXT_ORDER)
    fields = [v if v is None or not v.startswith('"') else lf.unquote_go(v) for v in values]
    if fields[7] not in lf.RESPONSE_MESSAGES:
        return None
    for i, name in ((5, "http.response.status"), (6, "http.response.written")):
        if not fields[i].isdigit():
            raise InputError(source, f"line {n}", f"expected an integer {name}, got {shown(fields[i])}")
        fields[i] = int(fields[i])
    return tuple(fields)


_PARSERS = {"combined": _combined, "json": _json, "text": _text}


def _select(columns: dict[str, tuple]) -> dict[str, np.ndarray]:
    """The request rows: OpenShift's "response" lines if any, else distribution's, one per
    request id."""
    arrays = columns
    msg = arrays["msg"]
    if (msg == "response").any():
        keep = msg == "response"
    else:
        keep = np.ones(len(msg), dtype=bool)
        errors = msg == "response completed with error"
        if errors.any():
            ids = pd.Series(arrays["request_id"])
            keep = ~(errors & ids.notna().to_numpy() & pd.Series(ids[errors]).reindex(ids.index).duplicated().to_numpy()
                     & errors)
    return {k: v[keep] for k, v in arrays.items()}


def _fail(source: str, n: int, line: str, fmt: str, truncated: bool):
    if truncated:
        raise InputError(source, f"line {n}", f"truncated last line (no newline at the end of the file): expected "
                         f"{lf.DESCRIPTION[fmt]}, got {_show(line)}")
    raise InputError(source, f"line {n}", f"expected {lf.DESCRIPTION[fmt]}, got {_show(line)}")


def _show(line: str) -> str:
    return shown(line)


def _frame(source: str, raw: dict[str, np.ndarray], fmt: str) -> pd.DataFrame:
    line = raw["line"].astype("int64")
    uri = raw["uri"]
    path = np.array([u.partition("?")[0] for u in uri], dtype=object)
    route, repository = routes.routes(path)
    method = _upper(raw["method"])
    columns = {
        "time": _times(source, raw["time"], line, fmt), "method": method, "uri": uri, "path": path,
        "repository": repository, "kind": routes.kinds(route, method, uri),
        "status": _integers(source, raw["status"], line, "http.response.status"),
        "duration_seconds": raw["duration"].astype(float),
        "bytes_written": _integers(source, raw["written"], line, "http.response.written"),
        "user_agent": raw["user_agent"], "pod": raw["pod"], "line": line,
    }
    # object columns stay object: converting a million strings to pandas' Arrow str costs seconds
    return pd.DataFrame({k: pd.Series(v, dtype=object if v.dtype == object else None, copy=False)
                         for k, v in columns.items()}, columns=list(COLUMNS))


def _upper(values: np.ndarray) -> np.ndarray:
    codes, uniques = pd.factorize(values)
    return np.array([str(u).upper() for u in uniques] or [""], dtype=object)[codes]


def _integers(source: str, values: np.ndarray, line: np.ndarray, field: str) -> np.ndarray:
    try:
        return values.astype("int64")
    except (TypeError, ValueError):
        bad = next(i for i, v in enumerate(values) if not isinstance(v, int))
        raise InputError(source, f"line {line[bad]}", f"expected an integer {field}, got {shown(values[bad])}") from None


def _times(source: str, text: np.ndarray, line: np.ndarray, fmt: str) -> np.ndarray:
    if fmt == "combined":  # whole seconds: few distinct values
        codes, uniques = pd.factorize(text)
    else:  # nanoseconds: all distinct
        codes, uniques = np.arange(len(text)), text
    if fmt == "combined":
        stamps = pd.to_datetime(uniques, format="%d/%b/%Y:%H:%M:%S %z", errors="coerce", utc=True)
        expected = "a time like 06/Dec/2026:04:21:53 +0000"
    else:
        stamps = pd.DatetimeIndex(pd.to_datetime(uniques, format="ISO8601", errors="coerce", utc=True))
        expected = "an RFC 3339 time like 2026-12-06T04:21:53.244124448Z"
    if stamps.isna().any():
        i = int(np.flatnonzero(stamps.isna()[codes])[0])
        raise InputError(source, f"line {line[i]}", f"expected {expected}, got {shown(text[i])}")
    seconds = stamps.as_unit("ns").asi8 / 1e9
    return seconds[codes] if len(codes) else np.array([], dtype=float)
