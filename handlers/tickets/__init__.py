"""The ticket loop's transport: reporting (in a group, privately), claiming and resolving,
contact and extensions, the enterprise's rating, looking tickets up, and 督办."""
