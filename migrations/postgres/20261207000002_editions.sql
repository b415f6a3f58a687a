-- Editions (期次): a province rolls a module out again to people who took an
-- earlier course of it (新一期、年度轮训). One enrollment per person (or per
-- village, for a committee's) per module *edition*; every enrollment made
-- before this was edition 1.
ALTER TABLE assignments ADD COLUMN edition BIGINT NOT NULL DEFAULT 1;
ALTER TABLE enrollments ADD COLUMN edition BIGINT NOT NULL DEFAULT 1;
DROP INDEX enrollments_committee_once;
DROP INDEX enrollments_person_once;
CREATE UNIQUE INDEX enrollments_committee_once ON enrollments (plugin_id, edition, unit_code) WHERE person_id IS NULL;
CREATE UNIQUE INDEX enrollments_person_once ON enrollments (plugin_id, edition, person_id) WHERE person_id IS NOT NULL;
