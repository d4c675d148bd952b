"""The roster: reading spreadsheets, checking rows, applying the import."""
