-- A basic group upgraded to a supergroup gets a new chat id. The binding and the queued messages
-- move to it; a ticket keeps the chat it was reported in (with its message id, that is what
-- makes a report unique), and messages about it go to where that chat lives now.
CREATE TABLE chat_migrations (
    old_chat_id INTEGER PRIMARY KEY,
    new_chat_id INTEGER NOT NULL,
    migrated_at TEXT NOT NULL
);
