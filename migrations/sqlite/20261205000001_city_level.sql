-- The city level and samples (issue 15).
--
-- A city officer (市级组织干部) holds a grant at a city unit. SQLite cannot
-- change a CHECK constraint in place, so role_grants is rebuilt with the
-- same rows, ids and indexes.
CREATE TABLE role_grants_next (
    id         INTEGER PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    role       TEXT NOT NULL CHECK (role IN ('national-admin', 'province-admin', 'city-officer',
                                             'county-trainer', 'township-officer', 'secretary',
                                             'member', 'outgoing-cadre')),
    unit_code  TEXT REFERENCES org_units (code)
);
INSERT INTO role_grants_next (id, account_id, role, unit_code)
    SELECT id, account_id, role, unit_code FROM role_grants;
DROP TABLE role_grants;
ALTER TABLE role_grants_next RENAME TO role_grants;
CREATE INDEX role_grants_account ON role_grants (account_id);
CREATE UNIQUE INDEX role_grants_once ON role_grants (account_id, role, COALESCE(unit_code, ''));
CREATE INDEX role_grants_unit ON role_grants (unit_code);

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
