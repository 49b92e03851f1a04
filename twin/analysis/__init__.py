"""Analysis of recorded runs: KPIs, frames and the run summary (pandas lives here)."""
