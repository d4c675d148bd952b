"""Rendering: texts (HTML, every user string escaped) and button layouts as plain data."""
