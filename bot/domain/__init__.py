"""Domain: models, the ticket state machine and the taxonomy. Imports nothing from the app."""
