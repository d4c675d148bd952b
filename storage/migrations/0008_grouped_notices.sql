-- Grouped admin notices. When tickets are routed to a cadre the bot cannot reach (they never
-- opened a private chat with it, or blocked it), the admins are told once, then reminded once a
-- day while tickets wait for that cadre, instead of once per ticket. One row per cadre while
-- that lasts; it goes when the cadre is reached again or nothing waits for them any more.
CREATE TABLE unreachable_cadres (
    cadre_id    INTEGER PRIMARY KEY REFERENCES cadres(id) ON DELETE CASCADE,
    noticed_at  TEXT NOT NULL,
    reminded_at TEXT NOT NULL
);
