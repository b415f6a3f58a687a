-- The 花名册 as counties keep it (issue 40): each person's particulars, the
-- post as the roster wrote it beside the post it was read as, and whether
-- the seat is a re-election (连任).
ALTER TABLE people ADD COLUMN gender TEXT CHECK (gender IN ('male', 'female'));
ALTER TABLE people ADD COLUMN birth TEXT;        -- 'YYYY-MM'
ALTER TABLE people ADD COLUMN ethnicity TEXT;
ALTER TABLE people ADD COLUMN education TEXT;
ALTER TABLE people ADD COLUMN political TEXT;
ALTER TABLE people ADD COLUMN origin TEXT;       -- 来源, as written
-- 身份证号: personal information (个人信息保护法). Checked on import, shown
-- only masked, never exported or logged.
ALTER TABLE people ADD COLUMN id_number TEXT;
ALTER TABLE committee_members ADD COLUMN post_text TEXT;
ALTER TABLE committee_members ADD COLUMN reelected BIGINT NOT NULL DEFAULT 0;

-- The 换届结构统计 per unit and term: a village's own counts, and each unit
-- above it the sum of its villages', kept by the transaction that imports
-- a roster. A unit's table reads its children's rows only.
CREATE TABLE roster_stats (
    unit_code     TEXT NOT NULL REFERENCES org_units (code),
    term_id       TEXT NOT NULL REFERENCES terms (id),
    villages      BIGINT NOT NULL DEFAULT 0,
    one_shoulder  BIGINT NOT NULL DEFAULT 0,  -- villages whose secretary chairs the villagers' committee
    members       BIGINT NOT NULL DEFAULT 0,  -- serving people, each once
    women         BIGINT NOT NULL DEFAULT 0,
    under_35      BIGINT NOT NULL DEFAULT 0,
    college       BIGINT NOT NULL DEFAULT 0,  -- 大专 or above
    cross_posted  BIGINT NOT NULL DEFAULT 0,  -- on both committees
    reelected     BIGINT NOT NULL DEFAULT 0,
    party         BIGINT NOT NULL DEFAULT 0,
    returnees     BIGINT NOT NULL DEFAULT 0,
    graduates     BIGINT NOT NULL DEFAULT 0,
    entrepreneurs BIGINT NOT NULL DEFAULT 0,
    veterans      BIGINT NOT NULL DEFAULT 0,
    aged          BIGINT NOT NULL DEFAULT 0,  -- members whose age is known
    age_sum       BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_code, term_id)
);

-- Rosters imported before: a seat held for years is a re-election, and
-- what those rosters hold is counted (their people have no particulars).
UPDATE committee_members SET reelected = 1 WHERE years_served > 0 AND departure IS NULL;

INSERT INTO roster_stats (unit_code, term_id, villages, one_shoulder, members, cross_posted, reelected)
WITH RECURSIVE up (unit, code) AS (
    SELECT DISTINCT unit_code, unit_code FROM committees
    UNION ALL
    SELECT up.unit, o.parent_code FROM up JOIN org_units o ON o.code = up.code
    WHERE o.parent_code IS NOT NULL
),
person AS (
    SELECT c.unit_code, c.term_id, m.person_id,
           COUNT(DISTINCT c.kind) AS kinds, MAX(m.reelected) AS reelected, MAX(m.one_shoulder) AS one_shoulder
    FROM committees c JOIN committee_members m ON m.committee_id = c.id
    WHERE m.departure IS NULL
    GROUP BY c.unit_code, c.term_id, m.person_id
),
village AS (
    SELECT unit_code, term_id, COUNT(*) AS members,
           SUM(CASE WHEN kinds > 1 THEN 1 ELSE 0 END) AS cross_posted,
           SUM(reelected) AS reelected,
           MAX(one_shoulder) AS one_shoulder
    FROM person GROUP BY unit_code, term_id
)
SELECT up.code, v.term_id, COUNT(*), SUM(v.one_shoulder), SUM(v.members), SUM(v.cross_posted), SUM(v.reelected)
FROM village v JOIN up ON up.unit = v.unit_code
GROUP BY up.code, v.term_id;
