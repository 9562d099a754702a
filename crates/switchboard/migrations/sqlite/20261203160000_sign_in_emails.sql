-- A sign-in email belongs to one person in the whole installation (issue 14): at most one
-- person with a password per email, compared without case.
--
-- Existing duplicates keep the login that signed in until now. Sign-in looked the lowercased
-- email up exactly and took the active person of the lowest organisation id, so the others
-- could not sign in with that email anyway: they keep their record, shifts and email, lose
-- the password that no longer worked (an admin can set one once their email is changed), and
-- their sessions end. `rank` orders the people sharing an email: the one that signed in first.
CREATE TEMPORARY TABLE sign_in_rank AS
SELECT id, lower(email) AS email,
       CASE WHEN active AND email = lower(email) THEN 0 ELSE 1 END AS rank, org_id
FROM people WHERE password_hash IS NOT NULL AND email IS NOT NULL;
CREATE TEMPORARY TABLE shadowed_logins AS
SELECT p.id FROM sign_in_rank p
WHERE EXISTS (
    SELECT 1 FROM sign_in_rank w
    WHERE w.email = p.email AND (w.rank, w.org_id, w.id) < (p.rank, p.org_id, p.id)
);
DELETE FROM sessions WHERE person_id IN (SELECT id FROM shadowed_logins);
UPDATE people SET password_hash = NULL WHERE id IN (SELECT id FROM shadowed_logins);
DROP TABLE shadowed_logins;
DROP TABLE sign_in_rank;
CREATE UNIQUE INDEX people_sign_in_email ON people (lower(email)) WHERE password_hash IS NOT NULL;
