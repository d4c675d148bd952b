"""Job posts (招聘): the guided /job conversation and reading and owning posts."""
