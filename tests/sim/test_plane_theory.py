"""The data plane against queueing theory (issue: capacity physics; issue: validation
against theory). One registry pod, Poisson arrivals at rate λ, requests whose only cost
is CPU work S (mean E[S]); each check runs independent replications and asserts the
formula lies within the replications' 99.9 % confidence interval (mean ± 3.3 standard
errors).

Processor sharing on c cores, at most one core per request (`resources/sharing.py`):
the number present is distributed as in M/M/c whatever the work's distribution
(a symmetric queue, Kelly 1979), so the mean sojourn time is M/M/c's:

    E[T] = E[S] + C(c, a) E[S] / (c (1 - ρ)),   a = λ E[S], ρ = a / c,
    C(c, a) = (a^c / c!) / (1 - ρ) / (Σ_{k<c} a^k / k! + (a^c / c!) / (1 - ρ))   (Erlang C)

and for c = 1, M/G/1-PS: E[T] = E[S] / (1 - ρ). Above the ceiling (λ E[S] > c) the pod
completes c / E[S] requests per second.

The limiter (maxRunning c, with c cores so running requests never share), as a FIFO
queue: M/M/c/K blocking and mean wait (maxWaitInQueue 0 = wait forever, K = maxRunning
+ maxInQueue), and M/M/c with deterministic patience τ (the timeout fraction):

    p_n = p_0 a^n / n! (n <= c),  p_0 a^c / c! (a/c)^(n-c) (c < n <= K);  P(block) = p_K
    W_q = L_q / (λ (1 - p_K)),  L_q = Σ_{n>c} (n - c) p_n
    P(give up) = λ p_{c-1} e^{(λ - cμ) τ} / (cμ),  p_j = p_0 a^j / j! (j < c), p_0 from normalisation
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.sim.planes import Ended, plane, pod, poisson, send_at
from twin.model.registry.settings import Limits, RegistrySettings

REPLICATIONS = 20
WARM_UP = 500


def erlang_c(c: int, a: float) -> float:
    top = a**c / math.factorial(c) / (1 - a / c)
    return top / (sum(a**k / math.factorial(k) for k in range(c)) + top)


def mmc_sojourn(c: int, lam: float, mean: float) -> float:
    a = lam * mean
    return mean + erlang_c(c, a) * mean / (c * (1 - a / c))


def mmck(lam: float, mu: float, c: int, k: int) -> tuple[float, float]:
    """(blocking probability, mean wait of admitted requests) of M/M/c/K."""
    a = lam / mu
    weights = [a**n / math.factorial(n) if n <= c else a**c / math.factorial(c) * (a / c) ** (n - c) for n in range(k + 1)]
    p = [w / sum(weights) for w in weights]
    lq = sum((n - c) * p[n] for n in range(c + 1, k + 1))
    return p[k], lq / (lam * (1 - p[k]))


def mmc_deterministic_patience(lam: float, mu: float, c: int, tau: float) -> float:
    """P(give up) of M/M/c+D."""
    a = lam / mu
    below = [a**j / math.factorial(j) for j in range(c)]  # p_j / p_0
    theta = lam - c * mu
    inner = (math.exp(theta * tau) - 1) / theta if theta else tau
    tail = math.exp(theta * tau) / (c * mu)
    p0 = 1 / (sum(below) + lam * below[-1] * (inner + tail))
    return lam * below[-1] * p0 * tail


def within_ci(samples: np.ndarray, expected: float) -> bool:
    half = 3.3 * samples.std(ddof=1) / math.sqrt(len(samples))
    return abs(samples.mean() - expected) <= half


def run_once(works: np.ndarray, lam: float, cores: float, seed: int, limits: Limits = Limits()) -> list:
    """Every request of one replication, in arrival order, once all have ended."""
    p = plane(seed=seed)
    pod(p, settings=RegistrySettings(read=limits), cores=cores)
    ended = Ended()
    last = poisson(p, lam, works, np.random.default_rng(seed + 1), ended)
    p.run_until(last + 10_000.0)
    return sorted(ended.requests, key=lambda r: r.id)


def sojourns(draw, n: int, lam: float, cores: float, seed: int) -> np.ndarray:
    """Mean sojourn time per replication, after the warm-up."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(REPLICATIONS):
        done = run_once(draw(rng, n), lam, cores, seed * 1000 + i)
        out.append(np.mean([r.end - r.time for r in done[WARM_UP:]]))
    return np.array(out)


def exponential(mean):
    return lambda rng, n: rng.exponential(mean, n)


def deterministic(mean):
    return lambda rng, n: np.full(n, mean)


def lognormal(mean, sigma):
    mu = math.log(mean) - sigma**2 / 2
    return lambda rng, n: rng.lognormal(mu, sigma, n)


def test_the_formulas_agree_with_known_values():
    # One core: Erlang C is ρ, and E[T] = E[S] / (1 - ρ).
    assert erlang_c(1, 0.7) == pytest.approx(0.7)
    assert mmc_sojourn(1, 0.7, 1.0) == pytest.approx(1 / 0.3)
    # M/M/1/1 is Erlang's loss system with one server: P(block) = a / (1 + a).
    assert mmck(1.0, 1.0, 1, 1)[0] == pytest.approx(0.5)
    # M/M/1/∞ limit: W_q = ρ / (μ - λ).
    assert mmck(0.5, 1.0, 1, 400)[1] == pytest.approx(0.5 / 0.5)
    # With τ → 0 every arrival finding all servers busy gives up: Erlang B with c servers.
    erlang_b = (2.0**2 / 2) / (1 + 2.0 + 2.0**2 / 2)
    assert mmc_deterministic_patience(2.0, 1.0, 2, 1e-9) == pytest.approx(erlang_b, rel=1e-6)


@pytest.mark.parametrize("name, draw", [("exponential", exponential(0.01)), ("deterministic", deterministic(0.01)),
                                        ("lognormal sigma 1.5", lognormal(0.01, 1.5))])
def test_one_core_is_m_g_1_processor_sharing_whatever_the_work_distribution(name, draw):
    lam, mean = 70.0, 0.01  # ρ = 0.7
    runs = sojourns(draw, 8_000, lam, 1.0, seed=11)
    assert within_ci(runs, mean / (1 - lam * mean)), (name, runs.mean(), mean / (1 - lam * mean))


@pytest.mark.parametrize("name, draw", [("exponential", exponential(0.004)), ("deterministic", deterministic(0.004))])
def test_four_cores_one_core_per_request_give_the_m_m_c_sojourn_time(name, draw):
    lam, mean = 800.0, 0.004  # a = 3.2, ρ = 0.8
    runs = sojourns(draw, 8_000, lam, 4.0, seed=23)
    expected = mmc_sojourn(4, lam, mean)
    assert within_ci(runs, expected), (name, runs.mean(), expected)


def test_a_wrong_number_of_cores_is_told_apart():
    """The check has power: 4 cores are many standard errors away from 3.5 cores' answer."""
    runs = sojourns(exponential(0.004), 8_000, 800.0, 3.5, seed=29)
    half = 3.3 * runs.std(ddof=1) / math.sqrt(len(runs))
    assert abs(runs.mean() - mmc_sojourn(4, 800.0, 0.004)) > 3 * half


class Loop(Ended):
    """A closed-loop client: sends its next request the moment the last one ends."""

    def __init__(self, p, works) -> None:
        super().__init__()
        self.p, self.works = p, works

    def answered(self, r, now: float) -> None:
        super().answered(r, now)
        send_at(self.p, now, work=float(self.works.pop()), owner=self)


@pytest.mark.parametrize("cores, mean", [(1.0, 0.01), (3.4, 0.0015)])
def test_closed_loop_clients_saturate_a_pod_at_cores_over_mean_work(cores, mean):
    """Saturation emerges: nothing in the pod is configured with its throughput, yet 40
    clients that each wait for their answer get cores / E[S] per second (within 3 %, over
    3 standard deviations of the count of exponential works filling the window)."""
    duration = 150.0
    rng = np.random.default_rng(3)
    p = plane(seed=3)
    pod(p, cores=cores)
    clients = [Loop(p, list(rng.exponential(mean, int(2 * duration * cores / mean / 40) + 100))) for _ in range(40)]
    for client in clients:
        send_at(p, 0.0, work=float(client.works.pop()), owner=client)
    p.run_until(duration)
    done = sum(1 for c in clients for r in c.requests if duration / 5 <= r.end < duration)
    assert done / (duration * 4 / 5) == pytest.approx(cores / mean, rel=0.03)


def test_below_the_ceiling_throughput_follows_the_load_and_the_cores_are_busy_rho_of_the_time():
    cores, mean, duration = 3.4, 0.0015, 60.0
    lam = 0.8 * cores / mean
    rng = np.random.default_rng(4)
    p = plane(seed=4)
    server = pod(p, cores=cores)
    ended = Ended()
    poisson(p, lam, rng.exponential(mean, int(lam * duration * 1.2)), rng, ended)
    p.run_until(duration)
    server.cpu.advance(duration)
    assert len([r for r in ended.requests if r.end < duration]) / duration == pytest.approx(lam, rel=0.02)
    assert server.cpu.done_work / server.cpu.offered == pytest.approx(0.8, rel=0.03)


def test_above_the_ceiling_every_core_is_busy():
    cores, mean, duration = 3.4, 0.0015, 40.0
    rng = np.random.default_rng(7)
    p = plane(seed=7)
    server = pod(p, cores=cores)
    poisson(p, 1.5 * cores / mean, rng.exponential(mean, int(1.5 * cores / mean * duration)), rng, Ended())
    p.run_until(duration / 2)
    server.cpu.advance(duration / 2)
    served, offered = server.cpu.done_work, server.cpu.offered
    p.run_until(duration)
    server.cpu.advance(duration)
    assert (server.cpu.done_work - served) / (server.cpu.offered - offered) == pytest.approx(1.0, abs=1e-9)


def limiter_runs(limits: Limits, lam: float, mu: float, seed: int) -> np.ndarray:
    """Per replication: (fraction rejected, mean wait of admitted) after the warm-up."""
    rng = np.random.default_rng(seed)
    out = []
    for i in range(REPLICATIONS):
        done = run_once(rng.exponential(1 / mu, 10_000), lam, float(limits.max_running), seed * 100 + i, limits)[WARM_UP:]
        rejected = np.array([r.code == 429 for r in done])
        waits = np.array([r.start - r.time for r in done if r.code != 429])
        out.append((rejected.mean(), waits.mean()))
    return np.array(out)


@pytest.mark.parametrize("c, queue, rho", [(8, 32, 0.9), (2, 4, 1.2), (4, 0, 0.7)])
def test_blocking_and_mean_wait_match_m_m_c_k(c, queue, rho):
    mu = 1.0
    lam = rho * c * mu
    block, wait = mmck(lam, mu, c, c + queue)
    runs = limiter_runs(Limits(c, queue, 0.0), lam, mu, seed=c * 100 + queue)
    assert within_ci(runs[:, 0], block), (runs[:, 0].mean(), block)
    assert within_ci(runs[:, 1], wait), (runs[:, 1].mean(), wait)


@pytest.mark.parametrize("c, tau, rho", [(8, 1.0, 0.95), (2, 0.5, 1.1), (4, 2.0, 0.8)])
def test_the_timeout_fraction_matches_m_m_c_with_deterministic_patience(c, tau, rho):
    mu = 1.0
    lam = rho * c * mu
    expected = mmc_deterministic_patience(lam, mu, c, tau)
    runs = limiter_runs(Limits(c, 1_000_000, tau), lam, mu, seed=int(c * 10 + tau * 7))
    assert within_ci(runs[:, 0], expected), (runs[:, 0].mean(), expected)
