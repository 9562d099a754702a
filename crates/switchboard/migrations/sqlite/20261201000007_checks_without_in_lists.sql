-- no-transaction
-- SQLite builds a temporary b-tree for a CHECK of the form `x IN ('a', 'b', 'c')` (three or
-- more values) on every insert and update of the row: about a third of the cost of writing an
-- incident or a call attempt. The same constraints written as `x = 'a' OR x = 'b' OR ...`
-- compare in place. A CHECK cannot be altered in SQLite, so both tables are rebuilt the way
-- the SQLite manual prescribes (create the new table, copy, drop the old, rename), with foreign
-- keys off, which is only possible outside a transaction: hence no-transaction, and this
-- migration's own BEGIN and COMMIT. PostgreSQL's migration 7 changes nothing.
PRAGMA foreign_keys = OFF;
BEGIN IMMEDIATE;

CREATE TABLE incidents_rebuilt (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    line_id BIGINT NOT NULL REFERENCES hotline_lines(id) ON DELETE CASCADE,
    caller_phone TEXT NOT NULL,
    call_sid TEXT,
    status TEXT NOT NULL CHECK (
        status = 'open' OR status = 'answered' OR status = 'completed' OR status = 'exhausted'
    ),
    hours TEXT NOT NULL CHECK (hours IN ('business', 'after')),
    answered_person_id BIGINT REFERENCES people(id) ON DELETE SET NULL,
    answered_phone TEXT,
    duration_secs BIGINT,
    voicemail_url TEXT,
    voicemail_sid TEXT,
    voicemail_secs BIGINT,
    transcript TEXT,
    created_at BIGINT NOT NULL,
    answered_at BIGINT,
    ended_at BIGINT,
    updated_at BIGINT NOT NULL,
    transcription_status TEXT CHECK (transcription_status IN ('completed', 'failed')),
    voicemail_emailed_at BIGINT
);
INSERT INTO incidents_rebuilt (
    id, org_id, line_id, caller_phone, call_sid, status, hours, answered_person_id,
    answered_phone, duration_secs, voicemail_url, voicemail_sid, voicemail_secs, transcript,
    created_at, answered_at, ended_at, updated_at, transcription_status, voicemail_emailed_at
)
SELECT
    id, org_id, line_id, caller_phone, call_sid, status, hours, answered_person_id,
    answered_phone, duration_secs, voicemail_url, voicemail_sid, voicemail_secs, transcript,
    created_at, answered_at, ended_at, updated_at, transcription_status, voicemail_emailed_at
FROM incidents;
DROP TABLE incidents;
ALTER TABLE incidents_rebuilt RENAME TO incidents;
CREATE INDEX incidents_line ON incidents (org_id, line_id, created_at);
CREATE INDEX incidents_call ON incidents (call_sid, id);

CREATE TABLE call_attempts_rebuilt (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    incident_id BIGINT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    step TEXT NOT NULL,
    person_id BIGINT REFERENCES people(id) ON DELETE SET NULL,
    person_name TEXT NOT NULL,
    phone TEXT NOT NULL,
    result TEXT NOT NULL CHECK (
        result = 'dialing' OR result = 'answered' OR result = 'no-answer' OR result = 'busy'
        OR result = 'failed'
    ),
    call_sid TEXT,
    started_at BIGINT NOT NULL,
    ended_at BIGINT
);
INSERT INTO call_attempts_rebuilt (
    id, org_id, incident_id, step, person_id, person_name, phone, result, call_sid,
    started_at, ended_at
)
SELECT
    id, org_id, incident_id, step, person_id, person_name, phone, result, call_sid,
    started_at, ended_at
FROM call_attempts;
DROP TABLE call_attempts;
ALTER TABLE call_attempts_rebuilt RENAME TO call_attempts;
CREATE INDEX call_attempts_incident ON call_attempts (incident_id);

COMMIT;
PRAGMA foreign_keys = ON;
