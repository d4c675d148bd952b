-- People, places and the ticket loop. Timestamps are UTC ISO-8601 text ending in Z (*_at).

CREATE TABLE cadres (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    phone       TEXT,
    role        TEXT NOT NULL DEFAULT 'cadre' CHECK (role IN ('cadre', 'leader', 'admin')),
    leader_id   INTEGER REFERENCES cadres(id) ON DELETE SET NULL,
    telegram_id INTEGER UNIQUE,
    on_leave    INTEGER NOT NULL DEFAULT 0 CHECK (on_leave IN (0, 1)),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

CREATE TABLE enterprises (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    credit_code TEXT UNIQUE,
    industry    TEXT,
    grid        TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- 包联: one primary and one optional backup cadre per enterprise.
CREATE TABLE assignments (
    enterprise_id    INTEGER PRIMARY KEY REFERENCES enterprises(id) ON DELETE CASCADE,
    primary_cadre_id INTEGER REFERENCES cadres(id) ON DELETE SET NULL,
    backup_cadre_id  INTEGER REFERENCES cadres(id) ON DELETE SET NULL,
    updated_at       TEXT NOT NULL
);

-- An enterprise contact: a Telegram user bound to exactly one enterprise.
CREATE TABLE contacts (
    telegram_id   INTEGER PRIMARY KEY,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id) ON DELETE CASCADE,
    source        TEXT NOT NULL DEFAULT 'roster' CHECK (source IN ('roster', 'invite')),
    created_at    TEXT NOT NULL
);
CREATE INDEX contacts_enterprise ON contacts(enterprise_id);

-- Everyone the bot has seen; private_chat_ok once they started the bot in private.
CREATE TABLE users (
    telegram_id     INTEGER PRIMARY KEY,
    first_name      TEXT NOT NULL DEFAULT '',
    username        TEXT,
    locale          TEXT,
    private_chat_ok INTEGER NOT NULL DEFAULT 0,
    seen_at         TEXT NOT NULL
);

CREATE TABLE chat_bindings (
    chat_id       INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('enterprise', 'park', 'jobs', 'logistics')),
    enterprise_id INTEGER REFERENCES enterprises(id) ON DELETE CASCADE,
    title         TEXT NOT NULL DEFAULT '',
    bound_by      INTEGER NOT NULL,
    bound_at      TEXT NOT NULL,
    CHECK ((kind = 'enterprise') = (enterprise_id IS NOT NULL))
);

-- Deep-link invitations; only a hash of the secret is stored.
CREATE TABLE invites (
    token_hash  TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('enterprise', 'cadre')),
    target_id   INTEGER NOT NULL,
    created_at  TEXT NOT NULL,
    expires_at  TEXT NOT NULL,
    used_at     TEXT,
    used_by     INTEGER
);

CREATE TABLE tickets (
    id                INTEGER PRIMARY KEY,
    enterprise_id     INTEGER NOT NULL REFERENCES enterprises(id),
    reporter_id       INTEGER NOT NULL,
    chat_id           INTEGER NOT NULL,
    source_message_id INTEGER NOT NULL,
    kind              TEXT NOT NULL,
    category          TEXT NOT NULL,
    urgency           TEXT NOT NULL DEFAULT 'normal',
    content           TEXT NOT NULL,
    status            TEXT NOT NULL,
    assignee_id       INTEGER REFERENCES cadres(id),
    deadline_at       TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    resolved_at       TEXT,
    closed_at         TEXT,
    solved_rating     TEXT,
    satisfaction      TEXT,
    supervision_level INTEGER NOT NULL DEFAULT 0,
    -- The same Telegram message never makes two tickets.
    UNIQUE (chat_id, source_message_id)
);
CREATE INDEX tickets_assignee_status ON tickets(assignee_id, status);
CREATE INDEX tickets_enterprise ON tickets(enterprise_id, status);
CREATE INDEX tickets_status_resolved ON tickets(status, resolved_at);

-- Append-only: every change to a ticket, with actor and time. Metrics come from here.
CREATE TABLE ticket_events (
    id          INTEGER PRIMARY KEY,
    ticket_id   INTEGER NOT NULL REFERENCES tickets(id),
    type        TEXT NOT NULL,
    actor_id    INTEGER,
    from_status TEXT,
    to_status   TEXT,
    data        TEXT NOT NULL DEFAULT '{}',
    at          TEXT NOT NULL
);
CREATE INDEX ticket_events_ticket ON ticket_events(ticket_id, id);
CREATE INDEX ticket_events_type_at ON ticket_events(type, at);

CREATE TRIGGER ticket_events_append_only_update BEFORE UPDATE ON ticket_events
BEGIN SELECT RAISE(ABORT, 'ticket_events is append-only'); END;
CREATE TRIGGER ticket_events_append_only_delete BEFORE DELETE ON ticket_events
BEGIN SELECT RAISE(ABORT, 'ticket_events is append-only'); END;

CREATE TABLE attachments (
    id             INTEGER PRIMARY KEY,
    ticket_id      INTEGER NOT NULL REFERENCES tickets(id),
    kind           TEXT NOT NULL CHECK (kind IN ('photo', 'document')),
    file_id        TEXT NOT NULL,
    file_unique_id TEXT NOT NULL,
    file_name      TEXT,
    mime_type      TEXT,
    created_at     TEXT NOT NULL,
    UNIQUE (ticket_id, file_unique_id)
);

-- Durable intake: raw updates persisted before Telegram is told they arrived.
CREATE TABLE inbox (
    update_id    INTEGER PRIMARY KEY,
    payload      TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    received_at  TEXT NOT NULL,
    processed_at TEXT,
    error        TEXT
);
CREATE INDEX inbox_status ON inbox(status, update_id);

-- Durable delivery: every message the bot owes, written with the change that caused it.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    chat_id         INTEGER NOT NULL,
    method          TEXT NOT NULL,
    params          TEXT NOT NULL,
    purpose         TEXT NOT NULL DEFAULT '',
    ticket_id       INTEGER,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    sent_at         TEXT,
    message_id      INTEGER,
    error           TEXT
);
CREATE INDEX outbox_pending ON outbox(status, next_attempt_at, id);
CREATE INDEX outbox_ticket ON outbox(ticket_id, purpose);

-- Chats the bot could not deliver to (403/400), so admins are told once per chat.
CREATE TABLE delivery_failures (
    chat_id     INTEGER PRIMARY KEY,
    error       TEXT NOT NULL,
    first_at    TEXT NOT NULL,
    last_at     TEXT NOT NULL,
    notified    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE kv (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- Replies to the bot's prompts (ForceReply) are matched through the sent message id.
CREATE INDEX outbox_sent_message ON outbox(chat_id, message_id);
