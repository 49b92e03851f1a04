"""Student's t for the 95 % confidence interval of a mean across seeds, computed without
scipy (`twin/sweep/stats.py`) and checked against the printed tables."""

from __future__ import annotations

import math

import pytest

from twin.sweep.stats import coverage, half_width, t_quantile


@pytest.mark.parametrize("df, printed", [(1, 12.706), (2, 4.303), (3, 3.182), (4, 2.776), (9, 2.262), (10, 2.228),
                                         (29, 2.045), (30, 2.042), (120, 1.980)])
def test_the_97_5_percent_quantile_matches_the_printed_t_table(df, printed):
    assert t_quantile(df) == pytest.approx(printed, abs=5e-4)


@pytest.mark.parametrize("df", [1, 2, 5, 6, 51])
def test_the_quantile_leaves_95_percent_between_minus_t_and_t(df):
    assert coverage(t_quantile(df), df) == pytest.approx(0.95, abs=1e-12)


def test_many_degrees_of_freedom_approach_the_normal_quantile():
    assert t_quantile(5000) == pytest.approx(1.960, abs=1e-3)


def test_the_half_width_is_t_times_the_standard_error():
    assert half_width(2.0, 10) == pytest.approx(2.262157 * 2.0 / math.sqrt(10), rel=1e-6)


def test_fewer_than_two_values_have_no_interval():
    assert math.isnan(half_width(float("nan"), 1))
    with pytest.raises(ValueError):
        t_quantile(0)
