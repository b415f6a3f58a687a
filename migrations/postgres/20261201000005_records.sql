-- A printed record carries the first 16 hex digits of a sign-off hash (the
-- enrollment's last when printed); /verify finds the record by it.
CREATE INDEX enrollments_signoff_head ON enrollments (signoff_head);
CREATE INDEX signoffs_hash ON signoffs (hash);
