"""Recruitment posts (招聘): the /job dialogue, publishing, expiry."""
