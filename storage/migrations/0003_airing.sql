-- The weekly airing (晾晒): posted weeks, stored ranks, uploads in the outbox, metric indexes.

-- Bytes to upload with an outbox call (a chart PNG, a ledger .xlsx); NULL for plain JSON calls.
ALTER TABLE outbox ADD COLUMN upload BLOB;

-- One row per aired ISO week ("2026-W47"), written in the transaction that queues the posts,
-- so a week is posted once and only once, across restarts.
CREATE TABLE airing_weeks (
    week      TEXT PRIMARY KEY,
    as_of     TEXT NOT NULL,
    posted_at TEXT NOT NULL,
    chats     INTEGER NOT NULL
);

-- Each aired week's 龙虎榜 ranks, for next week's rank change (↑2, ↓1, new).
CREATE TABLE airing_ranks (
    week     TEXT NOT NULL REFERENCES airing_weeks(week) ON DELETE CASCADE,
    cadre_id INTEGER NOT NULL,
    rank     INTEGER NOT NULL,
    score    REAL NOT NULL,
    PRIMARY KEY (week, cadre_id)
);

-- Tickets received in a period (weekly and since 1 January).
CREATE INDEX tickets_created ON tickets(created_at);
-- Tickets whose response (contact) fell due in a period (响应率).
CREATE INDEX tickets_response_due ON tickets(response_due_at);
