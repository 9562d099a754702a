-- Inbound texts to the organisation's numbers (telephony/inbound): each kept once (its
-- MessageSid), with what it said about consent; a reply flagged for review carries the day by
-- which a revocation it may be must be honoured.
CREATE TABLE inbox (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    message_sid TEXT NOT NULL UNIQUE CHECK (length(message_sid) BETWEEN 2 AND 64),
    sender TEXT NOT NULL CHECK (length(sender) BETWEEN 1 AND 32),
    recipient TEXT NOT NULL CHECK (length(recipient) BETWEEN 1 AND 32),
    body TEXT NOT NULL CHECK (length(body) <= 1600),
    reply_kind TEXT NOT NULL CHECK (
        reply_kind = 'opt-out' OR reply_kind = 'opt-in' OR reply_kind = 'help'
        OR reply_kind = 'review' OR reply_kind = 'other'
    ),
    review_by TEXT CHECK (review_by IS NULL OR length(review_by) = 10),
    created_at BIGINT NOT NULL
);
CREATE INDEX inbox_org ON inbox (org_id, id);
