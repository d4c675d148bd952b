-- When each ticket's next reminder, chase or escalation step falls due (UTC ISO-8601 text);
-- NULL when none can (the ticket is finished, or every step was taken). Written in the same
-- statement as every change of a ticket's status, deadlines or supervision level, so the
-- deadline sweep asks the index for `next_step_at <= now` instead of scanning open tickets.
ALTER TABLE tickets ADD COLUMN next_step_at TEXT;

-- Tickets open before this migration: due at once, so the first sweep computes (and stores)
-- each one's real next moment.
UPDATE tickets SET next_step_at = created_at
    WHERE status IN ('new', 'claimed', 'contacted', 'in_progress');

CREATE INDEX tickets_next_step ON tickets(next_step_at) WHERE next_step_at IS NOT NULL;
