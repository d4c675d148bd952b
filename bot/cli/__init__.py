"""Command-line entry points: run, demo, airing, operator commands."""
