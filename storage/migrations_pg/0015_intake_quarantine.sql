-- An update that failed its attempts and whose failure could not be recorded the usual way
-- (its apology could not be stored, say) is set aside as 'quarantined' with its error, so the
-- intake moves on instead of trying it again at the head of the line.
ALTER TABLE inbox DROP CONSTRAINT inbox_status_check;
ALTER TABLE inbox ADD CONSTRAINT inbox_status_check
    CHECK (status IN ('pending', 'done', 'failed', 'quarantined'));

-- Identical failures (same error type, same place in the code) alert the admins once per
-- window: the first at once, the ones after it counted here and told in one follow-up when the
-- window closes, so a stranger repeating a failing command cannot flood the duty desk.
CREATE TABLE failure_alerts (
    signature  TEXT PRIMARY KEY,
    alerted_at TEXT NOT NULL,  -- the window's start: when the admins were last alerted at once
    repeats    BIGINT NOT NULL DEFAULT 0,  -- identical failures since, not alerted one by one
    last_at    TEXT NOT NULL
);
