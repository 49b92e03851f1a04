"""`twin validate`: a twin run's predictions against what a registry recorded over the
same load: per request kind the p50, p99 and requests per second, the 429 and 503
shares, and the requests in flight (`figures.py` computes both sides alike,
`compare.py` judges them against the tolerances)."""
