-- Job posts (招聘信息): the posts, their append-only events, where their cards went, and the
-- durable drafts of the /job conversation (so a restart mid-conversation continues).

CREATE TABLE job_posts (
    id                INTEGER PRIMARY KEY,
    enterprise_id     INTEGER NOT NULL REFERENCES enterprises(id),
    author_id         INTEGER NOT NULL,
    position          TEXT NOT NULL,
    headcount         INTEGER NOT NULL CHECK (headcount > 0),
    requirements      TEXT NOT NULL,
    content           TEXT NOT NULL,
    location          TEXT NOT NULL,
    pay_min           INTEGER NOT NULL CHECK (pay_min > 0),
    pay_max           INTEGER NOT NULL,
    pay_unit          TEXT NOT NULL CHECK (pay_unit IN ('month', 'day', 'hour')),
    validity_days     INTEGER NOT NULL CHECK (validity_days BETWEEN 1 AND 365),
    contact           TEXT NOT NULL,
    benefits          TEXT NOT NULL DEFAULT '',
    shift             TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL
        CHECK (status IN ('draft', 'published', 'filled', 'expired', 'withdrawn')),
    hired             INTEGER NOT NULL DEFAULT 0,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    published_at      TEXT,
    expires_at        TEXT,
    closed_at         TEXT,
    -- Set when the owners were told the post expires soon, so they are told once.
    expiry_notice_at  TEXT,
    CHECK (pay_min <= pay_max)
);
CREATE INDEX job_posts_status_expires ON job_posts(status, expires_at);
CREATE INDEX job_posts_enterprise ON job_posts(enterprise_id, status);

-- Append-only: create, publish, edit, fill, withdraw, expire, hire (count = people hired).
CREATE TABLE job_events (
    id       INTEGER PRIMARY KEY,
    post_id  INTEGER NOT NULL REFERENCES job_posts(id),
    type     TEXT NOT NULL,
    actor_id INTEGER,
    count    INTEGER NOT NULL DEFAULT 0,
    data     TEXT NOT NULL DEFAULT '{}',
    at       TEXT NOT NULL
);
CREATE INDEX job_events_type_at ON job_events(type, at);
CREATE INDEX job_events_post ON job_events(post_id, id);

CREATE TRIGGER job_events_append_only_update BEFORE UPDATE ON job_events
BEGIN SELECT RAISE(ABORT, 'job_events is append-only'); END;
CREATE TRIGGER job_events_append_only_delete BEFORE DELETE ON job_events
BEGIN SELECT RAISE(ABORT, 'job_events is append-only'); END;

-- Each card sent for a post (one outbox row), so later changes can edit the card in place.
CREATE TABLE job_cards (
    id        INTEGER PRIMARY KEY,
    post_id   INTEGER NOT NULL REFERENCES job_posts(id),
    chat_id   INTEGER NOT NULL,
    outbox_id INTEGER NOT NULL
);
CREATE INDEX job_cards_post ON job_cards(post_id);

-- One open /job conversation per user: the answers so far (JSON); the next step follows from
-- which fields are still missing. post_id is set when the draft edits a published post.
CREATE TABLE job_drafts (
    user_id       INTEGER PRIMARY KEY,
    enterprise_id INTEGER REFERENCES enterprises(id) ON DELETE CASCADE,
    post_id       INTEGER REFERENCES job_posts(id) ON DELETE CASCADE,
    data          TEXT NOT NULL DEFAULT '{}',
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
