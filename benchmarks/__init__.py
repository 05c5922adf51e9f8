"""Runnable benchmark scripts. `python -m benchmarks` runs them all and writes results.md."""
