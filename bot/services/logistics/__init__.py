"""Logistics sharing (物流拼车): offers, requests, matching, the /truck and /cargo dialogue."""
