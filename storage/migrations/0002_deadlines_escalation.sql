-- Deadlines, extensions and escalation (督办). Timestamps are UTC ISO-8601 text ending in Z.

-- tickets.deadline_at stays the resolution deadline (moved by an approved extension).
-- NULL for tickets created before this migration.
ALTER TABLE tickets ADD COLUMN claim_due_at TEXT;
ALTER TABLE tickets ADD COLUMN response_due_at TEXT;
CREATE INDEX tickets_status_deadline ON tickets(status, deadline_at);

-- Each reminder, chase and escalation happens once: the sweeper inserts its step here in the
-- same transaction as the event and the messages, and skips steps that are already present.
-- Step names: remind_claim, remind_response, remind_resolve@<deadline>, chase1, chase2,
-- level1, level2.
CREATE TABLE escalation_steps (
    ticket_id INTEGER NOT NULL REFERENCES tickets(id),
    step      TEXT NOT NULL,
    at        TEXT NOT NULL,
    UNIQUE (ticket_id, step)
);

-- 延期: the assignee asks, their leader approves or refuses; one approved extension per ticket.
CREATE TABLE extension_requests (
    id           INTEGER PRIMARY KEY,
    ticket_id    INTEGER NOT NULL REFERENCES tickets(id),
    cadre_id     INTEGER NOT NULL REFERENCES cadres(id),
    days         INTEGER NOT NULL CHECK (days > 0),
    reason       TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'approved', 'refused')),
    requested_at TEXT NOT NULL,
    decided_at   TEXT,
    decided_by   INTEGER
);
CREATE INDEX extension_requests_ticket ON extension_requests(ticket_id, status);
-- At most one approved extension per ticket, whatever races happen above.
CREATE UNIQUE INDEX extension_requests_one_approved ON extension_requests(ticket_id)
    WHERE status = 'approved';
CREATE UNIQUE INDEX extension_requests_one_pending ON extension_requests(ticket_id)
    WHERE status = 'pending';

-- The daily brief goes to each leader once per park-local day.
CREATE TABLE daily_briefs (
    cadre_id INTEGER NOT NULL REFERENCES cadres(id),
    day      TEXT NOT NULL,
    sent_at  TEXT NOT NULL,
    UNIQUE (cadre_id, day)
);

-- Years past the holiday library's data: the admins are warned once per year.
CREATE TABLE calendar_warnings (
    year      INTEGER PRIMARY KEY,
    warned_at TEXT NOT NULL
);
