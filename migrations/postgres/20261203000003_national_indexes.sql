-- Indexes for pages at national size (issue 19).

-- The province console lists each assignment's enrollments per version:
-- which versions they run is one seek per version on this index, and
-- counting them (part way through an upgrade) reads only it.
-- It starts with assignment_id, so it serves what the old one did.
DROP INDEX enrollments_assignment;
CREATE INDEX enrollments_assignment_version ON enrollments (assignment_id, plugin_version, completed_at);

-- The units of one level under a path (the scopes an administrator assigns
-- to) without walking every village under it.
CREATE INDEX org_units_level_path ON org_units (level, path);
