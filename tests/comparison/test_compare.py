"""Prediction against observation: the issue's tolerances (15 % p50 and throughput,
25 % p99, widened to the measurement's spread), shares in points, missing sides not
judged."""

from __future__ import annotations

import pytest

from twin.comparison.compare import compare, table


def figures(p50=0.010, p99=0.050, rate=10.0, share=0.0, in_flight=2.0) -> dict:
    return {"kinds": {"manifest_get": {"requests_per_second": rate, "p50": p50, "p99": p99}},
            "rejected_429": share, "unavailable_503": 0.0, "in_flight": in_flight}


def row(rows, name):
    return next(r for r in rows if r.figure == name)


@pytest.mark.parametrize("name, predicted, within", [
    ("manifest_get p50", figures(p50=0.0114), True),      # +14 %
    ("manifest_get p50", figures(p50=0.0116), False),     # +16 %
    ("manifest_get p99", figures(p99=0.062), True),       # +24 %
    ("manifest_get p99", figures(p99=0.0370), False),     # -26 %
    ("manifest_get requests_per_second", figures(rate=8.6), True),
    ("manifest_get requests_per_second", figures(rate=8.4), False),
    ("rejected_429", figures(share=0.009), True),         # 0.9 points
    ("rejected_429", figures(share=0.011), False),
    ("in_flight", figures(in_flight=2.6), False),         # +30 %
])
def test_each_figure_is_judged_against_its_tolerance(name, predicted, within):
    assert row(compare(figures(), predicted), name).within is within


def test_the_measurements_own_spread_widens_the_tolerance_when_larger():
    rows = compare(figures(), figures(p50=0.013), spread={"manifest_get p50": 0.4})
    assert row(rows, "manifest_get p50").allowed == 0.4 and row(rows, "manifest_get p50").within


def test_a_kind_on_one_side_only_is_listed_but_not_judged():
    predicted = figures()
    predicted["kinds"]["token_get"] = {"requests_per_second": 10.0, "p50": 0.001, "p99": 0.002}
    rows = compare(figures(), predicted)
    assert row(rows, "token_get p50").within is None and row(rows, "token_get p50").observed is None
    assert any("| token_get p50 | — |" in line for line in table(rows))
