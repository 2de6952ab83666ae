"""Benchmarks (not part of the test suite): see benchmarks/ingest.py."""
