-- An update that failed its attempts and whose failure could not be recorded the usual way
-- (its apology could not be stored, say) is set aside as 'quarantined' with its error, so the
-- intake moves on instead of trying it again at the head of the line. SQLite changes a CHECK
-- only by copying the table.
CREATE TABLE inbox_new (
    update_id    INTEGER PRIMARY KEY,
    payload      TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending'
                 CHECK (status IN ('pending', 'done', 'failed', 'quarantined')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    received_at  TEXT NOT NULL,
    processed_at TEXT,
    error        TEXT
);
INSERT INTO inbox_new (update_id, payload, status, attempts, received_at, processed_at, error)
    SELECT update_id, payload, status, attempts, received_at, processed_at, error FROM inbox;
DROP TABLE inbox;
ALTER TABLE inbox_new RENAME TO inbox;
CREATE INDEX inbox_status ON inbox(status, update_id);

-- Identical failures (same error type, same place in the code) alert the admins once per
-- window: the first at once, the ones after it counted here and told in one follow-up when the
-- window closes, so a stranger repeating a failing command cannot flood the duty desk.
CREATE TABLE failure_alerts (
    signature  TEXT PRIMARY KEY,
    alerted_at TEXT NOT NULL,  -- the window's start: when the admins were last alerted at once
    repeats    INTEGER NOT NULL DEFAULT 0,  -- identical failures since, not alerted one by one
    last_at    TEXT NOT NULL
);
