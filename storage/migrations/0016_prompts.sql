-- A ForceReply prompt (asking a cadre for a progress note or a resolution) is conversation
-- state: what an answer to that message is for. It was read from the sent prompt's outbox row,
-- which the retention purge deletes; it has a table of its own now, written when the prompt is
-- queued and given its chat and message id when the sender marks the prompt sent, so the
-- outbox stays a queue. Prompts already queued or sent keep working: they are copied here.
CREATE TABLE prompts (
    outbox_id  INTEGER PRIMARY KEY,  -- the queued prompt (no reference: the outbox is purged)
    purpose    TEXT NOT NULL,
    ticket_id  INTEGER,
    chat_id    INTEGER,  -- where it was sent, once sent (a queued one may move chats)
    message_id INTEGER,
    created_at TEXT NOT NULL
);
CREATE INDEX prompts_message ON prompts(chat_id, message_id);
INSERT INTO prompts (outbox_id, purpose, ticket_id, chat_id, message_id, created_at)
    SELECT id, purpose, ticket_id,
           CASE WHEN status = 'sent' THEN chat_id END,
           CASE WHEN status = 'sent' THEN message_id END,
           created_at
    FROM outbox WHERE purpose LIKE 'prompt:%' AND status IN ('pending', 'sent');
