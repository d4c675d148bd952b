"""Who is told what after each change: notifications queued in the outbox."""
