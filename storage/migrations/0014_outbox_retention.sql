-- Sent outbox rows are purged after `[delivery] sent_retention_days`, except those of job cards
-- (a card is edited in place through its row's message id): the purge asks by outbox id.
CREATE INDEX job_cards_outbox ON job_cards(outbox_id);
