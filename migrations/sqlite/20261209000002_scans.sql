-- Paper comes back (issue 40): the scan of a printed record, signed in ink
-- and sealed, uploaded against that record; /verify says whether there is one.
ALTER TABLE attachments ADD COLUMN scan BIGINT NOT NULL DEFAULT 0;
