-- Private reports (私信): a bound enterprise contact may report a problem to the bot privately.
-- A ticket records where it came from (its channel), so the ledger can mark the private ones;
-- one person may be the contact of several enterprises (they then choose, with buttons, which
-- enterprise a private report is for); a report waiting for that choice is kept here, not in
-- memory, so the choice survives a restart.

ALTER TABLE tickets ADD COLUMN channel TEXT NOT NULL DEFAULT 'group'
    CHECK (channel IN ('group', 'private'));

CREATE TABLE contacts_new (
    telegram_id   INTEGER NOT NULL,
    enterprise_id INTEGER NOT NULL REFERENCES enterprises(id) ON DELETE CASCADE,
    source        TEXT NOT NULL DEFAULT 'roster' CHECK (source IN ('roster', 'invite')),
    created_at    TEXT NOT NULL,
    PRIMARY KEY (telegram_id, enterprise_id)
);
INSERT INTO contacts_new (telegram_id, enterprise_id, source, created_at)
    SELECT telegram_id, enterprise_id, source, created_at FROM contacts;
DROP TABLE contacts;
ALTER TABLE contacts_new RENAME TO contacts;
CREATE INDEX contacts_enterprise ON contacts(enterprise_id);

-- A private report from a contact of several enterprises, until they pick the enterprise.
CREATE TABLE pending_reports (
    reporter_id INTEGER NOT NULL,
    message_id  INTEGER NOT NULL,
    content     TEXT NOT NULL,
    files       TEXT NOT NULL DEFAULT '[]',
    created_at  TEXT NOT NULL,
    PRIMARY KEY (reporter_id, message_id)
);
