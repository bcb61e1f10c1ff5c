"""Benchmarks (not timed tests): run them through make, e.g. `make bench-sharing`."""
