"""Fixtures for the workers' tests: real PostgreSQL (from the root conftest), real Redis on the test db."""
