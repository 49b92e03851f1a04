"""Turning model results into documents for people and programs (JSON, tables)."""
