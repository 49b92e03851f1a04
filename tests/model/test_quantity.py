"""Kubernetes quantities: exact parsing, rounding up like Quantity.MilliValue/Value."""

from __future__ import annotations

from fractions import Fraction

import pytest

from twin.model.quantity import QuantityError, format_bytes, format_cpu, milli_value, parse_quantity, value


@pytest.mark.parametrize("text, millis", [
    ("100m", 100), ("0.1", 100), ("1", 1000), ("4", 4000), ("1.5", 1500), (2, 2000), ("1e3", 1_000_000),
    ("0.0001", 1),  # rounded up, as MilliValue does
])
def test_cpu_quantities_become_millicores(text, millis):
    assert milli_value(text) == millis


@pytest.mark.parametrize("text, units", [
    ("256Mi", 256 * 2**20), ("16Gi", 16 * 2**30), ("1Ki", 1024), ("1k", 1000), ("1M", 10**6),
    ("128974848", 128974848), ("129e6", 129_000_000), ("0.5Ki", 512), ("1.5", 2),
])
def test_memory_quantities_become_bytes(text, units):
    assert value(text) == units


@pytest.mark.parametrize("text", ["4 cores", "1.2.3", "Mi", "", "1Q", "--1", True])
def test_text_that_is_not_a_quantity_is_rejected(text):
    with pytest.raises(QuantityError, match="expected a Kubernetes quantity"):
        parse_quantity(text)


def test_parsing_is_exact():
    assert parse_quantity("100m") == Fraction(1, 10)


def test_canonical_text_round_trips():
    assert format_cpu(1500) == "1500m" and format_cpu(2000) == "2"
    assert format_bytes(256 * 2**20) == "256Mi" and format_bytes(1000) == "1000"
    for amount in (1, 999, 1024, 3 * 2**30, 5 * 2**40 + 1):
        assert value(format_bytes(amount)) == amount
