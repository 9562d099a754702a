-- Hotline: lines (shift or ladder), weekly shifts, dated overrides, on-call periods, ladders,
-- the rotating pool, and seed 003's incidents, call_attempts and incident_events.

CREATE TABLE hotline_lines (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('shift', 'ladder')),
    phone_number TEXT NOT NULL UNIQUE,
    time_zone TEXT NOT NULL,
    business_weekdays TEXT NOT NULL DEFAULT '1,2,3,4,5',
    business_start_minute BIGINT NOT NULL DEFAULT 480,
    business_end_minute BIGINT NOT NULL DEFAULT 1080,
    holidays TEXT NOT NULL DEFAULT '',
    ring_strategy TEXT NOT NULL DEFAULT 'sequential' CHECK (ring_strategy IN ('sequential', 'simultaneous')),
    ring_timeout_secs BIGINT NOT NULL DEFAULT 30,
    notify_emails TEXT NOT NULL DEFAULT '',
    reminder_minute BIGINT NOT NULL DEFAULT 1080,
    pool_position BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE hotline_shifts (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    line_id BIGINT NOT NULL REFERENCES hotline_lines(id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    weekday BIGINT NOT NULL CHECK (weekday BETWEEN 1 AND 7),
    start_minute BIGINT NOT NULL,
    end_minute BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    CHECK (start_minute >= 0 AND start_minute < end_minute AND end_minute <= 1440)
);
CREATE INDEX hotline_shifts_line ON hotline_shifts (line_id, weekday);

CREATE TABLE hotline_overrides (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    line_id BIGINT NOT NULL REFERENCES hotline_lines(id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    replaces_person_id BIGINT REFERENCES people(id) ON DELETE CASCADE,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    start_minute BIGINT NOT NULL DEFAULT 0,
    end_minute BIGINT NOT NULL DEFAULT 1440,
    created_at BIGINT NOT NULL
);
CREATE INDEX hotline_overrides_line ON hotline_overrides (line_id, ends_on);

CREATE TABLE hotline_oncall (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    line_id BIGINT NOT NULL REFERENCES hotline_lines(id) ON DELETE CASCADE,
    primary_person_id BIGINT REFERENCES people(id) ON DELETE SET NULL,
    secondary_person_id BIGINT REFERENCES people(id) ON DELETE SET NULL,
    starts_at BIGINT NOT NULL,
    ends_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    CHECK (starts_at < ends_at)
);
CREATE INDEX hotline_oncall_line ON hotline_oncall (line_id, starts_at);

CREATE TABLE hotline_ladder_steps (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    line_id BIGINT NOT NULL REFERENCES hotline_lines(id) ON DELETE CASCADE,
    hours TEXT NOT NULL CHECK (hours IN ('business', 'after')),
    position BIGINT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('primary_oncall', 'secondary', 'admin', 'manager', 'rotating_pool')),
    timeout_secs BIGINT NOT NULL,
    pool_size BIGINT NOT NULL DEFAULT 3,
    UNIQUE (line_id, hours, position)
);

CREATE TABLE hotline_pool_members (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    line_id BIGINT NOT NULL REFERENCES hotline_lines(id) ON DELETE CASCADE,
    person_id BIGINT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    UNIQUE (line_id, person_id)
);

CREATE TABLE incidents (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    line_id BIGINT NOT NULL REFERENCES hotline_lines(id) ON DELETE CASCADE,
    caller_phone TEXT NOT NULL,
    call_sid TEXT,
    status TEXT NOT NULL CHECK (status IN ('open', 'answered', 'completed', 'exhausted')),
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
    updated_at BIGINT NOT NULL
);
CREATE INDEX incidents_line ON incidents (org_id, line_id, created_at);
CREATE INDEX incidents_call ON incidents (call_sid);

CREATE TABLE call_attempts (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    incident_id BIGINT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    step TEXT NOT NULL,
    person_id BIGINT REFERENCES people(id) ON DELETE SET NULL,
    person_name TEXT NOT NULL,
    phone TEXT NOT NULL,
    result TEXT NOT NULL CHECK (result IN ('dialing', 'answered', 'no-answer', 'busy', 'failed')),
    call_sid TEXT,
    started_at BIGINT NOT NULL,
    ended_at BIGINT
);
CREATE INDEX call_attempts_incident ON call_attempts (incident_id);

CREATE TABLE incident_events (
    id INTEGER PRIMARY KEY,
    org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    incident_id BIGINT NOT NULL REFERENCES incidents(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX incident_events_incident ON incident_events (incident_id);
