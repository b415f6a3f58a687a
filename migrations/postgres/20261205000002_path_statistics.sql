-- The work lists walk villages in path order under a unit and stop at a
-- page's rows. With the default statistics (100 histogram buckets for
-- 628,091 paths sharing long prefixes) PostgreSQL estimated one village
-- under a city (there are 2,026) and sorted all of them before the page's
-- 51: 14 ms a query on the province's dashboard. A finer histogram gives
-- it the estimate, and it stops early (incremental sort): 1.1 ms.
ALTER TABLE org_units ALTER COLUMN path SET STATISTICS 1000;
ANALYZE org_units;
