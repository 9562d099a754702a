-- Numbers with typed owners (telephony/numbers): each of the organisation's numbers serves one
-- job (a hotline line, a call-tool campaign, a dialer campaign, a texting sender) or none. The
-- owner is a kind and an id, both set or both empty; `e164` stays unique, so a number has at
-- most one owner. The id is the job's own row (no foreign key: it points at a different table
-- for each kind); a job that deletes an owner releases its numbers in the same transaction.
--
-- `purpose` (free text) is gone: the owner says what a number serves. Existing rows keep what
-- it said: a number a hotline line of the same organisation uses becomes that line's, and a
-- purpose other than 'unassigned' on a number without a friendly name becomes its friendly name.
--
-- The inbox remembers which owner each inbound text was handed to (none: the catch-all).
--
-- SQLite cannot add a table CHECK or drop a column in place, so phone_numbers is rebuilt (no
-- table refers to it, so foreign keys need not be switched off).

CREATE TABLE phone_numbers_owned (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    e164 TEXT NOT NULL UNIQUE,
    friendly_name TEXT NOT NULL DEFAULT '',
    twilio_sid TEXT,
    owner_kind TEXT CHECK (
        owner_kind = 'hotline-line' OR owner_kind = 'calltool-campaign'
        OR owner_kind = 'dialer-campaign' OR owner_kind = 'texting-sender'
    ),
    owner_id BIGINT,
    created_at BIGINT NOT NULL,
    CHECK ((owner_kind IS NULL AND owner_id IS NULL) OR (owner_kind IS NOT NULL AND owner_id IS NOT NULL))
);
INSERT INTO phone_numbers_owned (id, org_id, e164, friendly_name, twilio_sid, owner_kind, owner_id, created_at)
SELECT
    n.id, n.org_id, n.e164,
    CASE
        WHEN n.friendly_name = '' AND n.purpose <> '' AND n.purpose <> 'unassigned' THEN n.purpose
        ELSE n.friendly_name
    END,
    n.twilio_sid,
    CASE WHEN l.id IS NULL THEN NULL ELSE 'hotline-line' END,
    l.id,
    n.created_at
FROM phone_numbers n
LEFT JOIN hotline_lines l ON l.org_id = n.org_id AND l.phone_number = n.e164;
DROP TABLE phone_numbers;
ALTER TABLE phone_numbers_owned RENAME TO phone_numbers;
CREATE INDEX phone_numbers_owner ON phone_numbers (org_id, owner_kind, owner_id);

ALTER TABLE inbox ADD COLUMN owner_kind TEXT CHECK (
    owner_kind = 'hotline-line' OR owner_kind = 'calltool-campaign'
    OR owner_kind = 'dialer-campaign' OR owner_kind = 'texting-sender'
);
ALTER TABLE inbox ADD COLUMN owner_id BIGINT;
