-- Each organisation's outbound settings (accounts/outbound): the answer to HELP and INFO and
-- the quiet hours its texts and calls keep. NULL means the default: a help text naming the
-- organisation (with help_contact when given), and the installation's quiet hours
-- (SWITCHBOARD_QUIET_HOURS, 08:00-21:00 unless configured). Times are local HH:MM.
ALTER TABLE organisations ADD COLUMN help_text TEXT
    CHECK (help_text IS NULL OR length(help_text) BETWEEN 1 AND 320);
ALTER TABLE organisations ADD COLUMN help_contact TEXT
    CHECK (help_contact IS NULL OR length(help_contact) BETWEEN 1 AND 100);
ALTER TABLE organisations ADD COLUMN quiet_hours_start TEXT
    CHECK (quiet_hours_start IS NULL OR length(quiet_hours_start) = 5);
ALTER TABLE organisations ADD COLUMN quiet_hours_end TEXT
    CHECK (quiet_hours_end IS NULL OR length(quiet_hours_end) = 5);
