"""registry-twin: a discrete-event digital twin of the OpenShift integrated image registry."""

__version__ = "0.1.0"
