-- Hotline: each person's private iCalendar feed token, and the shift reminders already sent
-- (one row per line, local date and person, so a retried reminder job never emails twice).

CREATE TABLE hotline_calendar_feeds (
    person_id BIGINT PRIMARY KEY REFERENCES people(id) ON DELETE CASCADE,
    org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    token TEXT NOT NULL UNIQUE,
    created_at BIGINT NOT NULL
);

CREATE TABLE hotline_reminders_sent (
    line_id BIGINT NOT NULL REFERENCES hotline_lines(id) ON DELETE CASCADE,
    shift_date TEXT NOT NULL,
    person_id BIGINT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    org_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    email_id BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (line_id, shift_date, person_id)
);
