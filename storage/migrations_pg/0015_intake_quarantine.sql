-- An update that failed its attempts and whose failure could not be recorded the usual way
-- (its apology could not be stored, say) is set aside as 'quarantined' with its error, so the
-- intake moves on instead of trying it again at the head of the line.
ALTER TABLE inbox DROP CONSTRAINT inbox_status_check;
ALTER TABLE inbox ADD CONSTRAINT inbox_status_check
    CHECK (status IN ('pending', 'done', 'failed', 'quarantined'));

