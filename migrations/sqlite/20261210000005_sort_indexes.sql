-- The work list sorted by village at national size (issue 43): the villages
-- walked in name order (then by place), each probed for its enrollments,
-- instead of every row of the scope sorted before the first page.
CREATE INDEX org_units_name ON org_units (name, path);
-- The planner walks it only knowing how selective it is.
ANALYZE org_units;
