"""Benchmarks: one command each, printing figures side by side (see README.md)."""
