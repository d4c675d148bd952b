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

