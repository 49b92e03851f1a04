"""`twin calibrate`: fit the twin's request-path parameters to what a real registry
recorded (issue: meet reality). The fits work on plain arrays and frames
(`twin/observed/` reads the files): arrival profiles (`arrivals.py`), blob sizes
(`sizes.py`), CPU and storage demands (`demands.py`); `fragment.py` writes the scenario
fragment with each estimate, its confidence interval, and the parameters the data could
not identify. Every interval is 95 %.
"""
