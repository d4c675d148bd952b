-- Deadlines in force: each resolve and reopen event carries its deadline; chases are per deadline.
--
-- From this release a reopen (重办) gives the ticket a fresh resolution deadline, so the ticket's
-- `deadline_at` no longer tells when an earlier resolve was due. 按期办结率 now reads the
-- deadline a `resolve` event carries (the one in force when it was made), and a `reopen` event
-- carries the fresh deadline it set. Events written before have neither; they are stamped here,
-- before any new reopen can move a deadline (reading the ticket's deadline at report time
-- instead would judge an old resolve against a deadline set after it).
--
-- Up to this release a deadline moved only by the one approved extension (an `extend_ok` event
-- with the new deadline). So the deadline in force at an old resolve or reopen is that of the
-- latest `extend_ok` before it, else the ticket's deadline. One case writes a later deadline than
-- the one then in force: a ticket resolved and reopened, then extended. The extension was asked
-- and approved before the original deadline, so that resolve came before the original deadline
-- and counts 按期 against either.
--
-- ticket_events is append-only (triggers refuse UPDATE and DELETE). As in 0009, the triggers are
-- dropped for the length of this migration (one transaction, before the bot starts) and
-- recreated exactly as 0001 made them. Only payloads gain a key; no event is added or removed.

DROP TRIGGER ticket_events_append_only_update;
DROP TRIGGER ticket_events_append_only_delete;

UPDATE ticket_events
SET data = json_set(data, '$.deadline_at', COALESCE(
    (SELECT json_extract(x.data, '$.deadline_at') FROM ticket_events x
     WHERE x.ticket_id = ticket_events.ticket_id AND x.type = 'extend_ok'
       AND x.id < ticket_events.id
     ORDER BY x.id DESC LIMIT 1),
    (SELECT t.deadline_at FROM tickets t WHERE t.id = ticket_events.ticket_id)))
WHERE type IN ('resolve', 'reopen') AND json_extract(data, '$.deadline_at') IS NULL;

CREATE TRIGGER ticket_events_append_only_update BEFORE UPDATE ON ticket_events
BEGIN SELECT RAISE(ABORT, 'ticket_events is append-only'); END;
CREATE TRIGGER ticket_events_append_only_delete BEFORE DELETE ON ticket_events
BEGIN SELECT RAISE(ABORT, 'ticket_events is append-only'); END;

-- Overdue chases were keyed `chase1`, `chase2`: once per ticket. A reopened ticket has a new
-- deadline and owes new chases when that one passes, so a chase is now keyed by the deadline it
-- chases (`chase1@<deadline>`). Every chase taken so far chased the ticket's current deadline
-- (an extension is approved before the deadline, so before any chase).
UPDATE escalation_steps
SET step = step || '@' || (SELECT t.deadline_at FROM tickets t WHERE t.id = escalation_steps.ticket_id)
WHERE step GLOB 'chase[0-9]*' AND instr(step, '@') = 0;
