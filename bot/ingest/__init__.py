"""Update intake: the poller (or webhook) persists raw updates; the processor handles them."""
