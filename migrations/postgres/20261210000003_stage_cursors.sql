-- The worker's place in each assignment's enrollments, per due-date stage
-- (issue 43): every enrollment up to `after_id` has been looked at for the
-- stage (fired, already had it, complete, or paused then), so an idle pass
-- reads one row per assignment and stage instead of scanning its enrollments.
CREATE TABLE stage_cursors (
    assignment_id BIGINT NOT NULL REFERENCES assignments (id),
    stage         TEXT NOT NULL,
    after_id      BIGINT NOT NULL,
    PRIMARY KEY (assignment_id, stage)
);
-- What is past the cursor, by index (SQLite's assignment index holds the rowid).
CREATE INDEX enrollments_assignment_id ON enrollments (assignment_id, id);
