"""The limiter against queueing theory (issue: validation against theory).

One pod, Poisson arrivals at rate λ, exponential service at rate μ, c = maxRunning.

M/M/c/K (maxWaitInQueue 0 = wait forever, K = maxRunning + maxInQueue), with a = λ/μ:

    p_n = p_0 a^n / n!                    for 0 <= n <= c
    p_n = p_0 a^c / c! (a/c)^(n-c)        for c < n <= K,    p_0 from Σ p_n = 1
    P(block) = p_K                        (an arrival finding K present gets 429)
    W_q = L_q / (λ (1 - p_K)),  L_q = Σ_{n>c} (n - c) p_n   (mean wait of admitted requests)

M/M/c+D (unbounded queue, deterministic patience τ = maxWaitInQueue): the virtual
waiting time V of an arrival has an atom P(V = 0) = Σ_{j<c} p_j and the density
    f(x) = λ p_{c-1} e^{(λ - cμ) x}    on 0 < x <= τ,
    f(x) = f(τ) e^{-cμ (x - τ)}        for x > τ    (nobody joins beyond τ),
with p_j = p_0 a^j / j! for j < c and p_0 from normalisation; so
    P(give up) = P(V > τ) = λ p_{c-1} e^{(λ - cμ) τ} / (cμ).

Each check runs independent replications and asserts the theory lies within the
replications' 99.9 % confidence interval (mean ± 3.3 standard errors).
"""

import math

import numpy as np
import pytest

from twin.model.registry.admission import PodAdmission
from twin.model.registry.settings import Limits, RegistrySettings

REPLICATIONS = 20
REQUESTS = 40_000
WARM_UP = 2_000


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


def replicate(limits: Limits, lam: float, mu: float, seed: int):
    """Per replication: (fraction rejected, mean wait of admitted) after the warm-up."""
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(REPLICATIONS):
        arrival = np.cumsum(rng.exponential(1 / lam, REQUESTS))
        service = rng.exponential(1 / mu, REQUESTS)
        fates = PodAdmission(RegistrySettings(read=limits)).admit(arrival, np.zeros(REQUESTS, dtype=np.int8), service)
        rejected = fates.rejected[WARM_UP:]
        waits = (fates.start - arrival)[WARM_UP:][~rejected]
        out.append((rejected.mean(), waits.mean()))
    return np.array(out)


def within_ci(samples: np.ndarray, expected: float) -> bool:
    half = 3.3 * samples.std(ddof=1) / math.sqrt(len(samples))
    return abs(samples.mean() - expected) <= half


def test_the_theory_formulas_agree_with_known_values():
    # M/M/1/1 is Erlang's loss system with one server: P(block) = a / (1 + a).
    assert mmck(1.0, 1.0, 1, 1)[0] == pytest.approx(0.5)
    # M/M/1/∞ limit: W_q = ρ / (μ - λ).
    assert mmck(0.5, 1.0, 1, 400)[1] == pytest.approx(0.5 / 0.5)
    # With τ → 0 every arrival finding all servers busy gives up: Erlang B with c servers.
    erlang_b = (2.0**2 / 2) / (1 + 2.0 + 2.0**2 / 2)
    assert mmc_deterministic_patience(2.0, 1.0, 2, 1e-9) == pytest.approx(erlang_b, rel=1e-6)


@pytest.mark.parametrize("c, queue, rho", [(8, 32, 0.9), (2, 4, 1.2), (4, 0, 0.7)])
def test_blocking_and_mean_wait_match_m_m_c_k(c, queue, rho):
    mu = 1.0
    lam = rho * c * mu
    block, wait = mmck(lam, mu, c, c + queue)
    runs = replicate(Limits(c, queue, 0.0), lam, mu, seed=c * 100 + queue)
    assert within_ci(runs[:, 0], block), (runs[:, 0].mean(), block)
    assert within_ci(runs[:, 1], wait), (runs[:, 1].mean(), wait)


@pytest.mark.parametrize("c, tau, rho", [(8, 1.0, 0.95), (2, 0.5, 1.1), (4, 2.0, 0.8)])
def test_the_timeout_fraction_matches_m_m_c_with_deterministic_patience(c, tau, rho):
    mu = 1.0
    lam = rho * c * mu
    expected = mmc_deterministic_patience(lam, mu, c, tau)
    runs = replicate(Limits(c, 1_000_000, tau), lam, mu, seed=int(c * 10 + tau * 7))
    assert within_ci(runs[:, 0], expected), (runs[:, 0].mean(), expected)
