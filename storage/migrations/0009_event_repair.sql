-- Repair the recorded ticket history: a rating is one event (written as two up to release b13b632).
--
-- Releases up to 0005 wrote each rating as two events at the same moment: a `rate` row holding
-- the verdict ({"solved", "satisfaction"}, no status change), then an empty row for the status
-- change it caused: `rate` (resolved -> closed) or `reopen` (resolved -> in_progress). The
-- metrics take a ticket's latest rating, which was the empty row, so every rated ticket counted
-- as unsolved and unsatisfied. Here each pair becomes one event: the verdict row takes the type
-- and the statuses of the empty row, and the empty row goes. Event ids keep their order.
--
-- ticket_events is append-only (triggers refuse UPDATE and DELETE). This one repair has to
-- change rows written in the past, so the triggers are dropped for the length of this migration
-- (one transaction, with nothing else running: migrations apply before the bot starts) and
-- recreated exactly as 0001 made them.

DROP TRIGGER ticket_events_append_only_update;
DROP TRIGGER ticket_events_append_only_delete;

-- Each verdict row with the empty status-change row written right after it for the same ticket.
CREATE TEMP TABLE rating_pairs AS
SELECT a.id AS keep_id, b.id AS drop_id, b.type AS type,
       b.from_status AS from_status, b.to_status AS to_status
FROM ticket_events a
JOIN ticket_events b ON b.id = (
    SELECT MIN(x.id) FROM ticket_events x WHERE x.ticket_id = a.ticket_id AND x.id > a.id
)
WHERE a.type = 'rate' AND a.from_status IS NULL AND a.to_status IS NULL
  AND json_extract(a.data, '$.solved') IS NOT NULL
  AND b.ticket_id = a.ticket_id AND b.type IN ('rate', 'reopen') AND b.data = '{}'
  AND b.from_status = 'resolved' AND b.at = a.at;

UPDATE ticket_events
SET type = (SELECT p.type FROM rating_pairs p WHERE p.keep_id = ticket_events.id),
    from_status = (SELECT p.from_status FROM rating_pairs p WHERE p.keep_id = ticket_events.id),
    to_status = (SELECT p.to_status FROM rating_pairs p WHERE p.keep_id = ticket_events.id)
WHERE id IN (SELECT keep_id FROM rating_pairs);

DELETE FROM ticket_events WHERE id IN (SELECT drop_id FROM rating_pairs);

DROP TABLE rating_pairs;

-- 基本满意 is stored as 'basic' (taxonomy); no release wrote 'basically', but mend any row that has it.
UPDATE ticket_events SET data = json_set(data, '$.satisfaction', 'basic')
WHERE type IN ('rate', 'reopen') AND json_extract(data, '$.satisfaction') = 'basically';
UPDATE tickets SET satisfaction = 'basic' WHERE satisfaction = 'basically';

CREATE TRIGGER ticket_events_append_only_update BEFORE UPDATE ON ticket_events
BEGIN SELECT RAISE(ABORT, 'ticket_events is append-only'); END;
CREATE TRIGGER ticket_events_append_only_delete BEFORE DELETE ON ticket_events
BEGIN SELECT RAISE(ABORT, 'ticket_events is append-only'); END;
