-- Completions per unit and Beijing day (issue 19): the 30-day chart of any
-- unit, the nation's too, reads 30 rows instead of every completed
-- enrollment under it. Kept in step with `completion` by the transaction
-- that completes or reopens an enrollment (+1 on the day it completed, -1
-- from that day when it reopens).
CREATE TABLE completion_days (
    unit_code TEXT NOT NULL REFERENCES org_units (code),
    day       TEXT NOT NULL,               -- 'YYYY-MM-DD', Beijing time
    completed BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_code, day)
);

-- What has completed so far, counted at its unit and every unit above it.
INSERT INTO completion_days (unit_code, day, completed)
WITH RECURSIVE up (unit, code) AS (
    SELECT DISTINCT unit_code, unit_code FROM enrollments WHERE completed_at IS NOT NULL
    UNION ALL
    SELECT up.unit, o.parent_code FROM up JOIN org_units o ON o.code = up.code
    WHERE o.parent_code IS NOT NULL
)
SELECT up.code, to_char(to_timestamp(e.completed_at + 28800) AT TIME ZONE 'UTC', 'YYYY-MM-DD'), COUNT(*)
FROM enrollments e JOIN up ON up.unit = e.unit_code
WHERE e.completed_at IS NOT NULL
GROUP BY up.code, to_char(to_timestamp(e.completed_at + 28800) AT TIME ZONE 'UTC', 'YYYY-MM-DD');
