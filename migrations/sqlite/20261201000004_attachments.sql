-- Files, content-addressed: the bytes once, however many enrollments use
-- them. Kept in the database by default (host/src/files.rs is the one
-- interface an object store can take over behind).
CREATE TABLE files (
    sha256     TEXT PRIMARY KEY,
    media_type TEXT NOT NULL,
    size       BIGINT NOT NULL,
    bytes      BLOB NOT NULL,
    created_at BIGINT NOT NULL
);

-- A file uploaded for an enrollment (contract 0.2.0's attachments): the
-- stored copy (photos re-encoded, their location metadata gone) and, for a
-- photo, a phone-sized copy.
CREATE TABLE attachments (
    id            INTEGER PRIMARY KEY,
    enrollment_id BIGINT NOT NULL REFERENCES enrollments (id),
    sha256        TEXT NOT NULL REFERENCES files (sha256),
    phone_sha256  TEXT REFERENCES files (sha256),
    name          TEXT NOT NULL,
    media_type    TEXT NOT NULL,
    size          BIGINT NOT NULL,
    uploaded_by   TEXT NOT NULL,
    account_id    BIGINT NOT NULL REFERENCES accounts (id),
    uploaded_at   BIGINT NOT NULL,
    UNIQUE (enrollment_id, sha256)
);
