-- PostgreSQL's migration of this name gives org_units.path a finer
-- histogram. SQLite's planner walks the path index for these queries
-- already (its ANALYZE statistics are per index, not per column): nothing
-- to do here; the file keeps the two folders' names the same.
SELECT 1;
