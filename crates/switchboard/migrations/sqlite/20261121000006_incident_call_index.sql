-- The latest incident of a call (every voice webhook asks) straight from one index: with
-- call_sid alone, a planner may walk the primary key backwards for "ORDER BY id DESC LIMIT 1"
-- and read every incident to learn that a new call has none.
DROP INDEX incidents_call;
CREATE INDEX incidents_call ON incidents (call_sid, id);
