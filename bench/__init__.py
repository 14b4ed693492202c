"""Benchmarks: reproducible figures printed by ``./pipeline bench`` (never timed tests)."""
