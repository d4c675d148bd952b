"""Repositories: SQL for one aggregate each. They never commit; services own transactions."""
