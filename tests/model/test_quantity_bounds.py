"""Quantities within the range and precision of apimachinery's `resource.Quantity`
(k8s.io/apimachinery `pkg/api/resource/quantity.go`; tables from `quantity_test.go`
`TestQuantityParse`): rounded up to a whole nanounit, and refused above 2^63-1 in
magnitude, decided from the digits and exponent before any arithmetic."""

from __future__ import annotations

import time
from fractions import Fraction

import pytest

from twin.model.quantity import MAX, QuantityError, milli_value, parse_quantity, value

N = Fraction(1, 10**9)

ROUNDED = [  # quantity_test.go "Things that saturate/round", "fractional binary", "trolls" (in range)
    ("3.001n", 4 * N), ("1.1E-9", 2 * N), ("0.0000000001", N), ("0.0000000005", N), ("0.00000000050", N),
    ("0.5e-9", N), ("0.9n", N), ("0.00000012345", 124 * N), ("0.00000012354", 124 * N),
    ("100.035Ki", Fraction(10243584, 100)), ("0.5Mi", Fraction(2**19)), ("0.05Gi", Fraction(536870912, 10)),
    ("0.025Ti", Fraction(274877906944, 10)), ("0.000000000001Ki", 2 * N), (".001", Fraction(1, 1000)),
    (".0001k", Fraction(1, 10)), ("1.", Fraction(1)), ("1.G", Fraction(10**9)), ("1.01E", Fraction(101 * 10**16)),
    ("-0.0000000001", -N),  # away from zero, as inf.RoundUp
]

IN_RANGE = [  # TestQuantityParseInt64 edge rows apimachinery keeps, within 2^63-1
    ("9223372036854775807", MAX), ("9223372036854775807.0", MAX), ("9223372036854775807000m", MAX),
    ("-9223372036854775807", -MAX), ("7Ei", 7 * 2**60), ("9E", 9 * 10**18), ("0e999999999", 0), ("-0", 0),
]

OUT_OF_RANGE = [  # apimachinery keeps decimals beyond int64 (Value() then overflows) and caps binary ones
    "9223372036854775808", "9223372036854775807.1", "-9223372036854775809", "10000000000000000000.1", "12E",
    "9Ei", "9223372036854775807Ki", "1E19", "1e999999999", "1e2147483647", "1e9223372036854775807",
    "123456789012345678901234567890", 2**63, -(2**63) - 1, 1e19, 10**4000,
]


@pytest.mark.parametrize("text, amount", ROUNDED)
def test_quantities_round_up_to_a_whole_nanounit_as_parse_quantity_does(text, amount):
    assert parse_quantity(text) == amount


@pytest.mark.parametrize("text, amount", IN_RANGE)
def test_quantities_up_to_two_to_the_63_minus_one_are_kept_exactly(text, amount):
    assert parse_quantity(text) == amount


@pytest.mark.parametrize("text", OUT_OF_RANGE)
def test_quantities_beyond_two_to_the_63_minus_one_are_refused_at_once(text):
    started = time.perf_counter()
    with pytest.raises(QuantityError, match=r"at most 2\^63-1 \(9223372036854775807\) in magnitude"):
        parse_quantity(text)
    assert time.perf_counter() - started < 0.1


@pytest.mark.parametrize("text", ["1e-999999999", "1e-2147483648", "-1e-999999999"])
def test_a_tiny_exponent_is_one_nanounit_without_computing_it(text):
    started = time.perf_counter()
    assert abs(parse_quantity(text)) == N
    assert time.perf_counter() - started < 0.1


@pytest.mark.parametrize("text", [float("inf"), float("nan"), "x" * 101, "1" * 10**6, "1e" + "9" * 10**6])
def test_no_number_and_overlong_text_are_refused_quoted_short(text):
    with pytest.raises(QuantityError) as caught:
        parse_quantity(text)
    assert len(str(caught.value)) < 250


def test_millicores_must_fit_int64_as_milli_value_returns_them():
    assert milli_value("9223372036854775") == 9223372036854775000
    with pytest.raises(QuantityError, match="millicores must fit int64"):
        milli_value("9223372036854776")
    assert value("7Ei") == 7 * 2**60
