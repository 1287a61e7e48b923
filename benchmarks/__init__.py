"""Benchmarks of the knowledge-base search: `python -m benchmarks [names...]` (`make bench`).

They print tables and never fail a build on a number.
"""
