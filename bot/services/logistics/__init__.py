"""Logistics sharing (物流拼车): offers, requests, matching, drafts."""
