-- Failed sign-ins are counted per client address too, so thirty names
-- guessed once each from one address are throttled, and a stranger's
-- guesses do not lock the owner out from their own address.
ALTER TABLE login_failures ADD COLUMN address TEXT NOT NULL DEFAULT '';
CREATE INDEX login_failures_address ON login_failures (address, at);

-- Enrolled once: a village's committee once per module, a person once per
-- module, whatever assignments overlap and however concurrently they run.
-- Concurrent assignments on PostgreSQL could enrol a village twice before
-- this; the extra copies that were never opened go (with any reminder sent
-- to them; nothing else can point at an unopened enrollment).
DELETE FROM notices WHERE enrollment_id IN (
    SELECT e.id FROM enrollments e WHERE e.state IS NULL AND e.id <> (
        SELECT MIN(f.id) FROM enrollments f
        WHERE f.plugin_id = e.plugin_id
          AND ((e.person_id IS NULL AND f.person_id IS NULL AND f.unit_code = e.unit_code)
               OR f.person_id = e.person_id)));
DELETE FROM enrollments WHERE state IS NULL AND id <> (
    SELECT MIN(f.id) FROM enrollments f
    WHERE f.plugin_id = enrollments.plugin_id
      AND ((enrollments.person_id IS NULL AND f.person_id IS NULL AND f.unit_code = enrollments.unit_code)
           OR f.person_id = enrollments.person_id));
CREATE UNIQUE INDEX enrollments_committee_once ON enrollments (plugin_id, unit_code) WHERE person_id IS NULL;
CREATE UNIQUE INDEX enrollments_person_once ON enrollments (plugin_id, person_id) WHERE person_id IS NOT NULL;
