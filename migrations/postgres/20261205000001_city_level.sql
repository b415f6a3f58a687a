-- The city level and samples (issue 15).
--
-- A city officer (市级组织干部) holds a grant at a city unit.
ALTER TABLE role_grants DROP CONSTRAINT role_grants_role_check;
ALTER TABLE role_grants ADD CONSTRAINT role_grants_role_check
    CHECK (role IN ('national-admin', 'province-admin', 'city-officer', 'county-trainer',
                    'township-officer', 'secretary', 'member', 'outgoing-cadre'));

-- An assignment made to a sample of the villages under its unit (a look-back
-- review checks 10% of each county): how it was drawn, as JSON
-- {"percent", "per", "seed"}, NULL for every village; and the villages drawn,
-- so anyone can draw again from the seed and compare.
ALTER TABLE assignments ADD COLUMN sample TEXT;
CREATE TABLE assignment_sample (
    assignment_id BIGINT NOT NULL REFERENCES assignments (id),
    unit_code     TEXT NOT NULL REFERENCES org_units (code),
    PRIMARY KEY (assignment_id, unit_code)
);

-- The dashboards count the look-back's open rectifications from its turns
-- (subject `finding:N`): only those rows are indexed.
CREATE INDEX turns_findings ON turns (path) WHERE subject LIKE 'finding:%';
