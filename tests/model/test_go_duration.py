"""`parse_go_duration` is Go's `time.ParseDuration`: Go's own test table, case for case.

Source: golang/go `src/time/time_test.go`, `parseDurationTests` and
`parseDurationErrorTests` (Go 1.17+, where "-9223372036854775808ns" is accepted,
golang.org/issue/48629), against `src/time/format.go` `ParseDuration`. Go's table writes
`-1 << 63 * Nanosecond`; here the nanoseconds are integers."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from twin.model.registry.duration import DurationOverflow, format_go_duration, parse_go_duration
from twin.scenarios.fields import seconds

NS, US, MS, S = 1, 10**3, 10**6, 10**9
M, H = 60 * S, 3600 * S

PARSE_DURATION_TESTS = [
    # simple
    ("0", 0), ("5s", 5 * S), ("30s", 30 * S), ("1478s", 1478 * S),
    # sign
    ("-5s", -5 * S), ("+5s", 5 * S), ("-0", 0), ("+0", 0),
    # decimal
    ("5.0s", 5 * S), ("5.6s", 5 * S + 600 * MS), ("5.s", 5 * S), (".5s", 500 * MS), ("1.0s", 1 * S),
    ("1.00s", 1 * S), ("1.004s", 1 * S + 4 * MS), ("1.0040s", 1 * S + 4 * MS), ("100.00100s", 100 * S + 1 * MS),
    # different units
    ("10ns", 10 * NS), ("11us", 11 * US), ("12\u00b5s", 12 * US), ("12\u03bcs", 12 * US), ("13ms", 13 * MS),
    ("14s", 14 * S), ("15m", 15 * M), ("16h", 16 * H),
    # composite durations
    ("3h30m", 3 * H + 30 * M), ("10.5s4m", 4 * M + 10 * S + 500 * MS), ("-2m3.4s", -(2 * M + 3 * S + 400 * MS)),
    ("1h2m3s4ms5us6ns", 1 * H + 2 * M + 3 * S + 4 * MS + 5 * US + 6 * NS),
    ("39h9m14.425s", 39 * H + 9 * M + 14 * S + 425 * MS),
    # large value
    ("52763797000ns", 52763797000 * NS),
    # more than 9 digits after decimal point, see https://golang.org/issue/6617
    ("0.3333333333333333333h", 20 * M),
    # 9007199254740993 = 1<<53+1 cannot be stored precisely in a float64
    ("9007199254740993ns", (1 << 53) + 1),
    # largest duration that can be represented by int64 in nanoseconds
    ("9223372036854775807ns", (1 << 63) - 1), ("9223372036854775.807us", (1 << 63) - 1),
    ("9223372036s854ms775us807ns", (1 << 63) - 1), ("-9223372036854775808ns", -(1 << 63)),
    ("-9223372036854775.808us", -(1 << 63)), ("-9223372036s854ms775us808ns", -(1 << 63)),
    # largest negative round trip value, see https://golang.org/issue/48629
    ("-2562047h47m16.854775808s", -(1 << 63)),
    # huge string; issue 15011.
    ("0.100000000000000000000h", 6 * M),
    # This value tests the first overflow check in leadingFraction.
    ("0.830103483285477580700h", 49 * M + 48 * S + 372539827 * NS),
]

PARSE_DURATION_ERROR_TESTS = [  # invalid
    "", "3", "-", "s", ".", "-.", ".s", "+.s", "1d", "\x85\x85", "\xffff", "hello \xffff world", "\ufffd",
    "\ufffd hello \ufffd world",
]
OVERFLOW_TESTS = [  # overflow (Go: "time: invalid duration")
    "9223372036854775810ns", "9223372036854775808ns", "-9223372036854775809ns", "9223372036854776us", "3000000h",
    "9223372036854775.808us", "9223372036854ms775us808ns",
    "9999999999h",  # issue 14: refused as Go refuses it, not 36 million years
]


@pytest.mark.parametrize("text, ns", PARSE_DURATION_TESTS)
def test_go_parse_duration_table(text, ns):
    assert parse_go_duration(text) == ns


@pytest.mark.parametrize("text", PARSE_DURATION_ERROR_TESTS)
def test_go_parse_duration_error_table(text):
    with pytest.raises(ValueError, match="expected a Go duration such as 500ms, 1s or 1m30s") as caught:
        parse_go_duration(text)
    assert not isinstance(caught.value, DurationOverflow)


@pytest.mark.parametrize("text", OVERFLOW_TESTS)
def test_durations_past_int64_nanoseconds_overflow_as_in_go(text):
    with pytest.raises(DurationOverflow, match="it overflows"):
        parse_go_duration(text)


@pytest.mark.parametrize("text", OVERFLOW_TESTS)
def test_a_scenario_duration_past_go_overflows_with_gos_range(text):
    with pytest.raises(ValueError, match=r"within -2562047h47m16.854775808s to 2562047h47m16.854775807s"):
        seconds(text)


@given(st.integers(min_value=-(1 << 63), max_value=(1 << 63) - 1))
def test_every_duration_go_prints_parses_back_exactly(ns):
    """Go's TestParseDurationRoundTrip, over the whole int64 range (min and max included)."""
    assert parse_go_duration(format_go_duration(ns)) == ns


@pytest.mark.parametrize("text", ["0" * 10**6 + "1s", "1." + "0" * 10**6 + "1s", "1" + "x" * 10**6, "9" * 10**6 + "s"])
def test_a_megabyte_of_duration_text_is_parsed_or_refused_at_once(text):
    started = time.perf_counter()
    try:
        parse_go_duration(text)
    except ValueError:
        pass
    assert time.perf_counter() - started < 1
