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

ALTER TABLE phone_numbers ADD COLUMN owner_kind TEXT CHECK (
    owner_kind = 'hotline-line' OR owner_kind = 'calltool-campaign'
    OR owner_kind = 'dialer-campaign' OR owner_kind = 'texting-sender'
);
ALTER TABLE phone_numbers ADD COLUMN owner_id BIGINT;
ALTER TABLE phone_numbers ADD CONSTRAINT phone_numbers_owner_whole CHECK (
    (owner_kind IS NULL AND owner_id IS NULL) OR (owner_kind IS NOT NULL AND owner_id IS NOT NULL)
);
UPDATE phone_numbers SET owner_kind = 'hotline-line', owner_id = l.id
FROM hotline_lines l
WHERE l.org_id = phone_numbers.org_id AND l.phone_number = phone_numbers.e164;
UPDATE phone_numbers SET friendly_name = purpose
WHERE friendly_name = '' AND purpose <> '' AND purpose <> 'unassigned';
ALTER TABLE phone_numbers DROP COLUMN purpose;
CREATE INDEX phone_numbers_owner ON phone_numbers (org_id, owner_kind, owner_id);

ALTER TABLE inbox ADD COLUMN owner_kind TEXT CHECK (
    owner_kind = 'hotline-line' OR owner_kind = 'calltool-campaign'
    OR owner_kind = 'dialer-campaign' OR owner_kind = 'texting-sender'
);
ALTER TABLE inbox ADD COLUMN owner_id BIGINT;
