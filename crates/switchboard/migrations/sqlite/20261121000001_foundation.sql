-- Foundation: organisations, people, tokens, sessions, phone numbers, the job queue and
-- schedules, the call/message ledger and email. Timestamps are epoch milliseconds (BIGINT).

CREATE TABLE organisations (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    twilio_account_sid TEXT,
    twilio_auth_token TEXT,
    public_url TEXT,
    created_at BIGINT NOT NULL
);

CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'manager', 'agent', 'viewer')),
    available BOOLEAN NOT NULL DEFAULT TRUE,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    password_hash TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX people_org_email ON people (org_id, email);

CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'manager', 'agent', 'viewer')),
    token_hash TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE phone_numbers (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    e164 TEXT NOT NULL UNIQUE,
    friendly_name TEXT NOT NULL DEFAULT '',
    purpose TEXT NOT NULL DEFAULT 'unassigned',
    twilio_sid TEXT,
    created_at BIGINT NOT NULL
);

CREATE TABLE jobs (
    id INTEGER PRIMARY KEY,
    org_id BIGINT REFERENCES organisations(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    attempts BIGINT NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL,
    run_at BIGINT NOT NULL,
    locked_by TEXT,
    locked_until BIGINT,
    ran_by TEXT,
    last_error TEXT,
    dedup_key TEXT UNIQUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    finished_at BIGINT
);
CREATE INDEX jobs_due ON jobs (state, run_at);

CREATE TABLE schedules (
    id INTEGER PRIMARY KEY,
    org_id BIGINT REFERENCES organisations(id) ON DELETE CASCADE,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    rrule TEXT NOT NULL,
    time_zone TEXT NOT NULL,
    dtstart BIGINT NOT NULL,
    next_run_at BIGINT,
    last_run_at BIGINT,
    active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX schedules_due ON schedules (active, next_run_at);

CREATE TABLE calls (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    sid TEXT NOT NULL UNIQUE,
    parent_sid TEXT,
    direction TEXT NOT NULL,
    from_number TEXT NOT NULL,
    to_number TEXT NOT NULL,
    status TEXT NOT NULL,
    status_rank BIGINT NOT NULL,
    answered_by TEXT,
    started_at BIGINT,
    ended_at BIGINT,
    duration_secs BIGINT,
    price_micros BIGINT,
    price_unit TEXT,
    error_code BIGINT,
    error_message TEXT,
    recording_url TEXT,
    owner_kind TEXT,
    owner_id BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX calls_owner ON calls (org_id, owner_kind, owner_id);

CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    sid TEXT NOT NULL UNIQUE,
    direction TEXT NOT NULL,
    from_number TEXT NOT NULL,
    to_number TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    status_rank BIGINT NOT NULL,
    segments BIGINT NOT NULL DEFAULT 1,
    price_micros BIGINT,
    price_unit TEXT,
    error_code BIGINT,
    error_message TEXT,
    owner_kind TEXT,
    owner_id BIGINT,
    sent_at BIGINT,
    delivered_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX messages_owner ON messages (org_id, owner_kind, owner_id);

-- Every callback Twilio sent about a call or message, once: a repeat of the same callback
-- (same sid, same parameters) hits the unique digest and changes nothing.
CREATE TABLE telephony_events (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    resource_sid TEXT NOT NULL,
    status TEXT NOT NULL,
    digest TEXT NOT NULL UNIQUE,
    params TEXT NOT NULL,
    received_at BIGINT NOT NULL
);
CREATE INDEX telephony_events_sid ON telephony_events (resource_sid);

CREATE TABLE emails (
    id INTEGER PRIMARY KEY,
    org_id BIGINT REFERENCES organisations(id) ON DELETE CASCADE,
    to_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'outbox', 'failed')),
    error TEXT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
