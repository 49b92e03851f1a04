"""Rate profiles, Poisson arrivals and the choice of images background clients fetch."""

from __future__ import annotations

import math

import numpy as np
import pytest

from twin.model.registry.catalogue import Catalogue, CatalogueParams
from twin.model.registry.traffic import Bursts, Constant, Diurnal, Ramp, Steps, arrivals, choose_images

PROFILES = {
    "constant": Constant(3.0),
    "diurnal": Diurnal(4.0, 0.8, period=400.0, peak_at=50.0),
    "bursts": Bursts(0.5, 6.0, every=100.0, length=20.0, first_at=30.0),
    "steps": Steps([(0.0, 1.0), (150.0, 8.0), (290.0, 0.0), (330.0, 2.0)]),
    "ramp": Ramp(0.5, 6.0, begin=50.0, finish=350.0),
}


# ---- profiles -----------------------------------------------------------------------------


def test_a_diurnal_rate_peaks_at_peak_at_and_bottoms_out_half_a_period_later():
    d = Diurnal(10.0, 0.5, period=100.0, peak_at=20.0)
    assert d.rate(np.array([20.0, 70.0, 120.0])) == pytest.approx([15.0, 5.0, 15.0])


def test_bursts_add_the_burst_rate_during_each_burst_window_only():
    b = Bursts(1.0, 5.0, every=60.0, length=10.0, first_at=30.0)
    t = np.array([0.0, 29.9, 30.0, 39.9, 40.0, 89.9, 90.0, 99.99, 100.0])
    assert list(b.rate(t)) == [1, 1, 6, 6, 1, 1, 6, 6, 1]


def test_a_ramp_holds_its_ends_and_climbs_linearly_between():
    r = Ramp(5.0, 500.0, begin=600.0, finish=4200.0)
    assert list(r.rate(np.array([0.0, 600.0, 2400.0, 4200.0, 9000.0]))) == [5.0, 5.0, 252.5, 500.0, 500.0]


def test_steps_hold_each_rate_until_the_next_step_and_are_zero_before_the_first():
    s = Steps([(10.0, 2.0), (20.0, 5.0)])
    assert list(s.rate(np.array([0.0, 9.99, 10.0, 19.9, 20.0, 1e6]))) == [0, 0, 2, 2, 5, 5]


@pytest.mark.parametrize("name", PROFILES)
def test_max_rate_bounds_the_rate_on_the_window(name):
    profile, t = PROFILES[name], np.linspace(0.0, 400.0, 40001)
    for t0, t1 in [(0, 400), (35, 45), (60, 90), (140, 160), (295, 325)]:
        inside = t[(t >= t0) & (t < t1)]
        assert profile.rate(inside).max() <= profile.max_rate(t0, t1) + 1e-12


def test_max_rate_of_a_window_outside_any_burst_is_the_base():
    b = PROFILES["bursts"]
    assert b.max_rate(60.0, 120.0) == 0.5 and b.max_rate(60.0, 131.0) == 6.5


@pytest.mark.parametrize("name", PROFILES)
def test_integral_matches_numerical_integration_of_the_rate(name):
    profile = PROFILES[name]
    for t0, t1 in [(0.0, 400.0), (37.5, 212.25), (100.0, 100.0)]:
        t = np.linspace(t0, t1, 400001)
        assert profile.integral(t0, t1) == pytest.approx(np.trapezoid(profile.rate(t), t), rel=1e-3, abs=1e-3)


@pytest.mark.parametrize("bad", [
    lambda: Constant(-1.0), lambda: Diurnal(1.0, 1.5), lambda: Diurnal(1.0, 0.5, period=0.0),
    lambda: Bursts(0.0, 1.0, every=10.0, length=11.0), lambda: Bursts(0.0, 1.0, every=0.0, length=0.0),
    lambda: Steps([]), lambda: Steps([(10.0, 1.0), (5.0, 1.0)]), lambda: Steps([(0.0, -2.0)]),
    lambda: Ramp(1.0, 2.0, 10.0, 10.0), lambda: Ramp(-1.0, 2.0, 0.0, 10.0),
])
def test_profiles_refuse_impossible_parameters(bad):
    with pytest.raises(ValueError):
        bad()


# ---- arrivals -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", PROFILES)
def test_arrival_counts_over_many_windows_match_the_integrated_rate(name):
    """Per 10 s window the count is Poisson(Λ): the total is within 4 standard errors of
    ΣΛ, and Σ(c − Λ)²/Λ is within 5 standard deviations of its chi-square mean."""
    profile, rng = PROFILES[name], np.random.default_rng(11)
    edges = np.arange(0.0, 4000.0 + 1e-9, 10.0)
    counts = np.array([arrivals(profile, a, b, rng).size for a, b in zip(edges[:-1], edges[1:])])
    expected = np.array([profile.integral(a, b) for a, b in zip(edges[:-1], edges[1:])])
    assert abs(counts.sum() - expected.sum()) < 4 * math.sqrt(expected.sum())
    positive = expected > 0
    assert counts[~positive].sum() == 0
    k = positive.sum()
    chi2 = (((counts - expected) ** 2)[positive] / expected[positive]).sum()
    assert abs(chi2 - k) < 5 * math.sqrt(2 * k)


def test_arrivals_fall_where_the_rate_is():
    times = arrivals(PROFILES["bursts"], 0.0, 10000.0, np.random.default_rng(5))
    in_burst = PROFILES["bursts"].in_burst(times).mean()
    expected = 6.5 * 20 / (6.5 * 20 + 0.5 * 80)  # share of the integral spent in bursts
    assert in_burst == pytest.approx(expected, abs=0.02)


def test_arrivals_are_sorted_and_inside_the_half_open_window():
    times = arrivals(PROFILES["diurnal"], 12.5, 377.0, np.random.default_rng(2))
    assert np.all(np.diff(times) > 0) and times.min() >= 12.5 and times.max() < 377.0


def test_an_empty_or_idle_window_has_no_arrivals():
    rng = np.random.default_rng(0)
    assert arrivals(Constant(5.0), 3.0, 3.0, rng).size == 0
    assert arrivals(Constant(0.0), 0.0, 100.0, rng).size == 0
    assert arrivals(Steps([(50.0, 1.0)]), 0.0, 50.0, rng).size == 0


def test_consecutive_windows_have_the_law_of_one_window():
    """[0, 10) then [10, 20) versus [0, 20) across many seeds: the same mean count in each
    half and the same mean arrival time; nothing duplicated or lost at the boundary."""
    profile = Steps([(0.0, 2.0), (10.0, 6.0)])
    split, whole = [], []
    for seed in range(3000):
        rng = np.random.default_rng(seed)
        first, second = arrivals(profile, 0.0, 10.0, rng), arrivals(profile, 10.0, 20.0, rng)
        assert (first.size == 0 or first.max() < 10.0) and (second.size == 0 or second.min() >= 10.0)
        split.append(np.concatenate([first, second]))
        whole.append(arrivals(profile, 0.0, 20.0, np.random.default_rng(10_000 + seed)))
    for sample in (split, whole):
        halves = np.array([[np.sum(s < 10.0), np.sum(s >= 10.0)] for s in sample])
        assert halves.mean(axis=0) == pytest.approx([20.0, 60.0], abs=4 * math.sqrt(60.0 / 3000))
        assert np.concatenate(sample).mean() == pytest.approx((20 * 5 + 60 * 15) / 80, abs=0.05)
    assert all(np.all(np.diff(s) > 0) for s in split)


def plain_arrivals(profile, t0, t1, rng):
    """`arrivals` with numpy's calls one by one (the points' times, then their thinning draws)."""
    span = t1 - t0
    bound = profile.max_rate(t0, t1) if span > 0 else 0.0
    if bound <= 0:
        return np.zeros(0)
    candidates = t0 + span * rng.random(rng.poisson(bound * span))
    keep = (rng.random(candidates.size) * bound < profile.rate(candidates)) & (candidates < t1)
    return np.sort(candidates[keep])


@pytest.mark.parametrize("name", PROFILES)
@pytest.mark.parametrize("seed", [0, 1, 7])
def test_arrivals_draw_what_numpy_s_calls_one_by_one_draw(name, seed):
    """Window after window (empty ones too), with other draws between them: the same
    arrivals, and the generator left where the calls one by one leave it."""
    fast, plain = np.random.default_rng(seed), np.random.default_rng(seed)
    for t0 in np.arange(0.0, 400.0, 0.75).tolist():
        got, expected = arrivals(PROFILES[name], t0, t0 + 0.75, fast), plain_arrivals(PROFILES[name], t0, t0 + 0.75, plain)
        assert got.dtype == expected.dtype and got.tolist() == expected.tolist()
        fast.random(len(got)), plain.random(len(expected))  # what the caller draws next (the images)
        assert fast.bit_generator.state == plain.bit_generator.state


def test_the_same_seed_gives_the_same_arrivals():
    a = arrivals(PROFILES["diurnal"], 0.0, 300.0, np.random.default_rng(9))
    b = arrivals(PROFILES["diurnal"], 0.0, 300.0, np.random.default_rng(9))
    assert np.array_equal(a, b)


# ---- which images -----------------------------------------------------------------------------


def test_popular_images_are_fetched_more_and_bases_are_not_chosen():
    catalogue = Catalogue.generate(CatalogueParams(images=50), np.random.default_rng(3))
    images = choose_images(catalogue, 4000, 1.0, np.random.default_rng(8))
    assert images.min() >= catalogue.base_count
    per_image = np.bincount(images - catalogue.base_count, minlength=50)
    assert per_image[0] > 3 * per_image[10]


def test_exponent_zero_chooses_uniformly():
    catalogue = Catalogue.generate(CatalogueParams(images=10), np.random.default_rng(3))
    per_image = np.bincount(choose_images(catalogue, 20000, 0.0, np.random.default_rng(1)) - catalogue.base_count)
    assert per_image.min() > 0.9 * 2000 and per_image.max() < 1.1 * 2000


@pytest.mark.parametrize("images, exponent", [(50, 1.0), (10, 0.0), (200, 1.7), (0, 1.0)])
def test_image_choices_are_numpys_weighted_choice_draw_for_draw(images, exponent):
    """`choose_images` keeps the cumulative weights per catalogue; its draws must stay those
    of `rng.choice(k, size=n, p=...)`, the generator left where choice leaves it."""
    catalogue = Catalogue.generate(CatalogueParams(images=images), np.random.default_rng(3))
    first = catalogue.base_count if images else 0
    weights = 1.0 / np.arange(1, len(catalogue.images) - first + 1) ** exponent
    for n in (0, 1, 7, 1000):
        ours, numpys = np.random.default_rng(n), np.random.default_rng(n)
        expected = first + numpys.choice(weights.size, size=n, p=weights / weights.sum())
        assert np.array_equal(choose_images(catalogue, n, exponent, ours), expected)
        assert ours.random() == numpys.random()
