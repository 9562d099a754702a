-- The roster version: bumped by every change to what decides who a hotline call rings
-- (people, shifts, overrides, on-call periods, ladder steps, pool members), so the incident
-- desk can reuse a line's roster until it changes, across processes too.
ALTER TABLE organisations ADD COLUMN roster_version BIGINT NOT NULL DEFAULT 0;

CREATE TRIGGER people_roster_insert AFTER INSERT ON people
BEGIN
    UPDATE organisations SET roster_version = roster_version + 1 WHERE id = NEW.org_id;
END;

CREATE TRIGGER people_roster_update AFTER UPDATE ON people
BEGIN
    UPDATE organisations SET roster_version = roster_version + 1 WHERE id = NEW.org_id;
END;

CREATE TRIGGER people_roster_delete AFTER DELETE ON people
BEGIN
    UPDATE organisations SET roster_version = roster_version + 1 WHERE id = OLD.org_id;
END;

CREATE TRIGGER hotline_shifts_roster_insert AFTER INSERT ON hotline_shifts
BEGIN
    UPDATE organisations SET roster_version = roster_version + 1 WHERE id = NEW.org_id;
END;

CREATE TRIGGER hotline_shifts_roster_update AFTER UPDATE ON hotline_shifts
BEGIN
    UPDATE organisations SET roster_version = roster_version + 1 WHERE id = NEW.org_id;
END;

CREATE TRIGGER hotline_shifts_roster_delete AFTER DELETE ON hotline_shifts
BEGIN
    UPDATE organisations SET roster_version = roster_version + 1 WHERE id = OLD.org_id;
END;

CREATE TRIGGER hotline_overrides_roster_insert AFTER INSERT ON hotline_overrides
BEGIN
    UPDATE organisations SET roster_version = roster_version + 1 WHERE id = NEW.org_id;
END;

CREATE TRIGGER hotline_overrides_roster_update AFTER UPDATE ON hotline_overrides
BEGIN
    UPDATE organisations SET roster_version = roster_version + 1 WHERE id = NEW.org_id;
END;

CREATE TRIGGER hotline_overrides_roster_delete AFTER DELETE ON hotline_overrides
BEGIN
    UPDATE organisations SET roster_version = roster_version + 1 WHERE id = OLD.org_id;
END;

CREATE TRIGGER hotline_oncall_roster_insert AFTER INSERT ON hotline_oncall
BEGIN
    UPDATE organisations SET roster_version = roster_version + 1 WHERE id = NEW.org_id;
END;

CREATE TRIGGER hotline_oncall_roster_update AFTER UPDATE ON hotline_oncall
BEGIN
    UPDATE organisations SET roster_version = roster_version + 1 WHERE id = NEW.org_id;
END;

CREATE TRIGGER hotline_oncall_roster_delete AFTER DELETE ON hotline_oncall
BEGIN
    UPDATE organisations SET roster_version = roster_version + 1 WHERE id = OLD.org_id;
END;

CREATE TRIGGER hotline_ladder_steps_roster_insert AFTER INSERT ON hotline_ladder_steps
BEGIN
    UPDATE organisations SET roster_version = roster_version + 1 WHERE id = NEW.org_id;
END;

CREATE TRIGGER hotline_ladder_steps_roster_update AFTER UPDATE ON hotline_ladder_steps
BEGIN
    UPDATE organisations SET roster_version = roster_version + 1 WHERE id = NEW.org_id;
END;

CREATE TRIGGER hotline_ladder_steps_roster_delete AFTER DELETE ON hotline_ladder_steps
BEGIN
    UPDATE organisations SET roster_version = roster_version + 1 WHERE id = OLD.org_id;
END;

CREATE TRIGGER hotline_pool_members_roster_insert AFTER INSERT ON hotline_pool_members
BEGIN
    UPDATE organisations SET roster_version = roster_version + 1 WHERE id = NEW.org_id;
END;

CREATE TRIGGER hotline_pool_members_roster_update AFTER UPDATE ON hotline_pool_members
BEGIN
    UPDATE organisations SET roster_version = roster_version + 1 WHERE id = NEW.org_id;
END;

CREATE TRIGGER hotline_pool_members_roster_delete AFTER DELETE ON hotline_pool_members
BEGIN
    UPDATE organisations SET roster_version = roster_version + 1 WHERE id = OLD.org_id;
END;
