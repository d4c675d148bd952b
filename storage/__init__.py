"""Storage: SQLite or PostgreSQL behind one interface, numbered migrations, one repository per
aggregate."""
