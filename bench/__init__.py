"""Benchmarks of the platform. Not part of the test run; see bench/README.md."""
