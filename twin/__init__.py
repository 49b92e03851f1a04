"""registry-twin: a discrete-event digital twin of the OpenShift integrated image registry."""

from twin._native import choose

__version__ = "0.1.0"
DATA_PLANE = choose()
"""'compiled' when the data plane runs as built by mypyc, 'python' otherwise (`_native.py`)."""
