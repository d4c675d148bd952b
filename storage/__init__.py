"""SQLite storage: the connection, numbered migrations and one repository per aggregate."""
