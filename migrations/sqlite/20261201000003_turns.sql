-- Whose turn it is (contract 0.2.0's `awaiting`): one row per party an
-- enrollment waits for, replaced by every write of the enrollment. `path`
-- is the village's, so a township's queue is a range scan; `role` or
-- `person_id` names who is awaited (a person id as modules know it).
CREATE TABLE turns (
    enrollment_id BIGINT NOT NULL REFERENCES enrollments (id),
    seq           BIGINT NOT NULL,
    path          TEXT NOT NULL,
    role          TEXT,
    person_id     TEXT,
    what          TEXT NOT NULL,
    subject       TEXT NOT NULL,
    since         BIGINT NOT NULL,
    PRIMARY KEY (enrollment_id, seq)
);
CREATE INDEX turns_role_path ON turns (role, path);
CREATE INDEX turns_person ON turns (person_id);
