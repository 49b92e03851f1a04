"""pytest plugin: collects *.twin.yaml scenario files as test items (filled in by the CI-integration work)."""
