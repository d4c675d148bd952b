"""The logistics exchange (物流拼车): trucks and cargo, one-line forms and the guided talk."""
