"""Resilience proofs: kills, faults, flood limits and graceful stops under load."""
