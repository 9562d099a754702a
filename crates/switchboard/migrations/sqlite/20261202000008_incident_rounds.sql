-- The rounds of an incident's walk: each walk is a round (the native flow's dial action names
-- it, so a replayed action for an earlier round changes nothing), each attempt records the
-- round it was rung in and how long it rang, so a repeated request is answered with the same
-- target without walking again. Existing rows: attempts started together share a round, and
-- an exhausted incident's last walk (which rang nobody) is a round of its own.
ALTER TABLE incidents ADD COLUMN round BIGINT NOT NULL DEFAULT 0;
ALTER TABLE call_attempts ADD COLUMN round BIGINT NOT NULL DEFAULT 0;
ALTER TABLE call_attempts ADD COLUMN timeout_secs BIGINT NOT NULL DEFAULT 30;
UPDATE call_attempts SET round = (
    SELECT COUNT(DISTINCT b.started_at) FROM call_attempts b
    WHERE b.incident_id = call_attempts.incident_id AND b.started_at <= call_attempts.started_at
);
UPDATE incidents SET round = COALESCE(
    (SELECT MAX(a.round) FROM call_attempts a WHERE a.incident_id = incidents.id), 0
) + CASE WHEN status = 'exhausted' THEN 1 ELSE 0 END;
