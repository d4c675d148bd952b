"""Recruitment posts (招聘): drafts, publishing, expiry."""
