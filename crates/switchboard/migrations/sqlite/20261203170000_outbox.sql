-- The outbox: every outbound call and text, written in its owner's transaction before anything
-- is sent, then dispatched by workers (telephony/outbox). A row is sent at most once: the key
-- is unique per owner, a claimed row carries its worker and lease, and a row whose worker died
-- is reconciled with the provider before it is released. Lifecycle: pending, claimed, sent,
-- failed, skipped (with the reason).
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    -- What asked for it (api, calltool-call, dialer-attempt, texting-send, ...) and which one.
    owner_kind TEXT NOT NULL CHECK (length(owner_kind) BETWEEN 1 AND 40),
    owner_id BIGINT,
    idempotency_key TEXT NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    -- sha256 of what was asked, so a key reused for something else is refused.
    request_hash TEXT NOT NULL CHECK (length(request_hash) = 64),
    kind TEXT NOT NULL CHECK (kind = 'text' OR kind = 'call'),
    recipient TEXT NOT NULL CHECK (length(recipient) BETWEEN 2 AND 16),
    sender TEXT NOT NULL CHECK (length(sender) BETWEEN 2 AND 16),
    body TEXT CHECK (body IS NULL OR length(body) <= 1600),
    call_url TEXT CHECK (call_url IS NULL OR length(call_url) <= 2048),
    earliest_at BIGINT NOT NULL,
    latest_at BIGINT,
    -- The recipient's own time zone when known, and the zone used when neither it nor the
    -- number's country gives one (the campaign's), for quiet hours.
    recipient_zone TEXT CHECK (recipient_zone IS NULL OR length(recipient_zone) <= 64),
    fallback_zone TEXT NOT NULL CHECK (length(fallback_zone) BETWEEN 1 AND 64),
    waits_for_window INTEGER NOT NULL DEFAULT 1 CHECK (waits_for_window = 0 OR waits_for_window = 1),
    -- When a worker should next look at it: the earliest time, the window's opening, or the
    -- pace's slot it holds (send_at).
    due_at BIGINT NOT NULL,
    send_at BIGINT,
    status TEXT NOT NULL CHECK (
        status = 'pending' OR status = 'claimed' OR status = 'sent' OR status = 'failed'
        OR status = 'skipped'
    ),
    skip_reason TEXT CHECK (
        skip_reason IS NULL OR skip_reason = 'opted-out' OR skip_reason = 'quiet-hours'
        OR skip_reason = 'expired' OR skip_reason = 'cancelled'
    ),
    claimed_by TEXT,
    claimed_at BIGINT,
    lease_until BIGINT,
    claims BIGINT NOT NULL DEFAULT 0,
    provider_sid TEXT,
    error_code BIGINT,
    error_message TEXT CHECK (error_message IS NULL OR length(error_message) <= 1000),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    finished_at BIGINT,
    UNIQUE (org_id, owner_kind, idempotency_key)
);
CREATE INDEX outbox_due ON outbox (status, due_at);
CREATE INDEX outbox_lease ON outbox (status, lease_until);

-- Each pace's one value (telephony/pacing): the earliest instant its next send may go, in
-- milliseconds. Keys: 'calls:<account sid>' and 'texts:<sender number>'.
CREATE TABLE paces (
    key TEXT PRIMARY KEY CHECK (length(key) <= 80),
    next_at BIGINT NOT NULL
);

-- The consent ledger (contacts/store/consent): every opt-in and opt-out of a number, per
-- organisation and channel, with where it came from; the latest one is the number's consent.
CREATE TABLE consent_events (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    phone TEXT NOT NULL CHECK (length(phone) BETWEEN 2 AND 16),
    channel TEXT NOT NULL CHECK (channel = 'sms' OR channel = 'voice'),
    opted_in INTEGER NOT NULL CHECK (opted_in = 0 OR opted_in = 1),
    source TEXT NOT NULL CHECK (
        source = 'keyword' OR source = 'reply' OR source = 'dashboard' OR source = 'api'
        OR source = 'ivr-key' OR source = 'import' OR source = 'carrier'
    ),
    note TEXT CHECK (note IS NULL OR length(note) <= 1600),
    created_at BIGINT NOT NULL
);
CREATE INDEX consent_events_phone ON consent_events (org_id, phone, channel, id);
