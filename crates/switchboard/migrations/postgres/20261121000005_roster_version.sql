-- The roster version: bumped by every change to what decides who a hotline call rings
-- (people, shifts, overrides, on-call periods, ladder steps, pool members), so the incident
-- desk can reuse a line's roster until it changes, across processes too.
ALTER TABLE organisations ADD COLUMN roster_version BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION bump_roster_version() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE organisations SET roster_version = roster_version + 1 WHERE id = OLD.org_id;
    ELSE
        UPDATE organisations SET roster_version = roster_version + 1 WHERE id = NEW.org_id;
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER people_roster AFTER INSERT OR UPDATE OR DELETE ON people
    FOR EACH ROW EXECUTE FUNCTION bump_roster_version();

CREATE TRIGGER hotline_shifts_roster AFTER INSERT OR UPDATE OR DELETE ON hotline_shifts
    FOR EACH ROW EXECUTE FUNCTION bump_roster_version();

CREATE TRIGGER hotline_overrides_roster AFTER INSERT OR UPDATE OR DELETE ON hotline_overrides
    FOR EACH ROW EXECUTE FUNCTION bump_roster_version();

CREATE TRIGGER hotline_oncall_roster AFTER INSERT OR UPDATE OR DELETE ON hotline_oncall
    FOR EACH ROW EXECUTE FUNCTION bump_roster_version();

CREATE TRIGGER hotline_ladder_steps_roster AFTER INSERT OR UPDATE OR DELETE ON hotline_ladder_steps
    FOR EACH ROW EXECUTE FUNCTION bump_roster_version();

CREATE TRIGGER hotline_pool_members_roster AFTER INSERT OR UPDATE OR DELETE ON hotline_pool_members
    FOR EACH ROW EXECUTE FUNCTION bump_roster_version();
