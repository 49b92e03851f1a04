"""Blob sizes: the catalogue's log-normal layer size (`traffic.catalogue.layer_size:
{median, sigma}`) fitted to the bytes of successful blob GETs, each distinct blob once
(a popular layer pulled a thousand times is one layer). Maximum likelihood on the logs:
median = exp(mean), sigma = standard deviation; the median's interval from Student's t on
the mean of the logs, sigma's from the chi-square distribution of the variance.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

from twin.calibration.estimate import LEVEL, Estimate

MIN_BLOBS = 3


def fit_layer_sizes(sizes: np.ndarray) -> dict[str, Estimate]:
    sizes = np.asarray(sizes, float)
    sizes = sizes[sizes > 0]
    if len(sizes) < MIN_BLOBS:
        why = f"{len(sizes)} distinct blob size(s) in the data, at least {MIN_BLOBS} needed"
        return {"median": Estimate.unidentified(why), "sigma": Estimate.unidentified(why)}
    logs = np.log(sizes)
    n, mean, sd = len(logs), float(logs.mean()), float(logs.std(ddof=1))
    alpha = 1 - LEVEL
    t = stats.t.ppf(1 - alpha / 2, n - 1) * sd / np.sqrt(n)
    low_sd = sd * np.sqrt((n - 1) / stats.chi2.ppf(1 - alpha / 2, n - 1))
    high_sd = sd * np.sqrt((n - 1) / stats.chi2.ppf(alpha / 2, n - 1))
    return {"median": Estimate(float(np.exp(mean)), float(np.exp(mean - t)), float(np.exp(mean + t)),
                               "log-normal MLE over distinct blobs, t interval"),
            "sigma": Estimate(sd, float(low_sd), float(high_sd), "log-normal MLE over distinct blobs, chi-square interval")}
