"""Kubernetes JSON/YAML in and out, with field-path errors."""
