-- SQLite's migration 7 rewrites the CHECKs of incidents and call attempts so that writing a
-- row needs no temporary b-tree. PostgreSQL evaluates `x IN (...)` in place: nothing changes.
SELECT 1;
