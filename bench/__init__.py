"""Benchmarks (``make bench``). See docs/benchmarks.md."""
