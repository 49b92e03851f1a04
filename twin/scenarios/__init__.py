"""Scenario inputs: generated cluster topologies and the bundled examples."""
