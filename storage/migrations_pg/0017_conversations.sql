-- Every guided conversation (/job, /truck, /cargo, and the dialogues to come) is one row here,
-- run by one engine: one open per user and topic ('job'; 'logistics' for a truck or a cargo,
-- which replace each other). The /job drafts and the logistics drafts move in as they were, so
-- a conversation open across the upgrade continues: a /job draft keeps its employer and the
-- post it edits among its answers (its step follows from them), a logistics draft its step.
CREATE TABLE conversations (
    user_id    BIGINT NOT NULL,
    topic      TEXT NOT NULL,
    kind       TEXT NOT NULL,  -- what it fills in: job | truck | cargo
    step       TEXT NOT NULL,  -- the question it is at
    data       TEXT NOT NULL DEFAULT '{}',  -- the answers so far (JSON)
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (user_id, topic)
);
CREATE INDEX conversations_idle ON conversations(topic, updated_at);
INSERT INTO conversations (user_id, topic, kind, step, data, created_at, updated_at)
    SELECT user_id, 'job', 'job', '',
           (data::jsonb || jsonb_build_object('enterprise_id', enterprise_id, 'post_id', post_id))::text,
           created_at, updated_at
    FROM job_drafts;
INSERT INTO conversations (user_id, topic, kind, step, data, created_at, updated_at)
    SELECT user_id, 'logistics', kind, step, data, updated_at, updated_at FROM logistics_drafts;
DROP TABLE job_drafts;
DROP TABLE logistics_drafts;
