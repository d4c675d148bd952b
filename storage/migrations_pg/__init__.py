"""PostgreSQL migrations: a baseline at version 14, then the same numbers as SQLite's."""
