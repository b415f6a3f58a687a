-- 个人信息保护法 (issue 41): every export of a person's data (查阅复制) and
-- every sight of a full 身份证号, who and when. Read by the operator and by
-- the person's own export.
CREATE TABLE personal_data_log (
    id         INTEGER PRIMARY KEY,
    at         BIGINT NOT NULL,
    actor_id   BIGINT NOT NULL REFERENCES accounts (id),
    person_id  BIGINT NOT NULL REFERENCES people (id),
    what       TEXT NOT NULL CHECK (what IN ('export', 'id-number'))
);
CREATE INDEX personal_data_log_person ON personal_data_log (person_id, id);
