-- Heavy answers (a year's ledger as .xlsx) are made after the update that asked for them: the
-- request is stored in the update's own transaction (so it is never lost, nor made twice), and a
-- worker reads on a reader connection, renders off the event loop, then queues the result in
-- the same transaction as the request's done mark. Update handling never waits for it.
CREATE TABLE deferred_work (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,
    chat_id    INTEGER NOT NULL,
    params     TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
    created_at TEXT NOT NULL,
    done_at    TEXT,
    error      TEXT
);
CREATE INDEX deferred_work_pending ON deferred_work(status, id);
