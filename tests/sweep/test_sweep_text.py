"""The aggregate as `twin sweep` prints it (`twin/sweep/text.py`): verdict shares per
combination, headline KPIs as mean ± half the 95 % interval, values shown as they were
given."""

from __future__ import annotations

from sweep_records import record

from twin.sweep.tables import aggregate_frame, runs_frame
from twin.sweep.text import aggregate_text, number, table

PATHS = ["registry.replicas"]


def aggregate(records):
    return aggregate_frame(runs_frame(records, PATHS), PATHS)


def test_numeric_parameters_and_counts_print_as_whole_numbers():
    text = aggregate_text(aggregate([record(0, 1, 2, 400.0), record(0, 2, 2, 402.0, holds=False)]), PATHS)
    header, row = text.splitlines()[:2]
    assert header.split() == ["registry.replicas", "seeds", "all", "hold", "zone_failure_recovery"]
    assert row.split() == ["2", "2", "1/2", "1/2"]


def test_kpis_print_as_mean_plus_or_minus_half_the_interval():
    text = aggregate_text(aggregate([record(0, 1, 2, 1.0), record(0, 2, 2, 2.0), record(0, 3, 2, 3.0)]), PATHS)
    # mean 2, s = 1, t(0.975, 2) = 4.303: half width 4.303 / √3 = 2.48
    assert "recovery s" in text and "2 ± 2.48" in text
    assert "evictions" in text  # 2 in every run: not zero, so shown


def test_a_single_seed_prints_the_value_alone_and_a_missing_value_as_a_dash():
    text = aggregate_text(aggregate([record(0, 1, 2, 401.0), record(1, 1, 3, None)]), PATHS)
    lines = text.splitlines()
    kpi_rows = lines[lines.index(next(line for line in lines if "recovery s" in line)) + 1:][:2]
    assert kpi_rows[0].split()[:2] == ["2", "401"]
    assert kpi_rows[1].split()[:2] == ["3", "-"]


def test_numbers_keep_three_significant_figures():
    assert [number(v) for v in (401.4, 12.345, 0.29123, float("nan"))] == ["401", "12.3", "0.291", "-"]


def test_a_table_pads_each_column_to_its_widest_cell():
    assert table(["a", "bb"], [["ccc", "d"]]) == "a    bb\nccc  d"
