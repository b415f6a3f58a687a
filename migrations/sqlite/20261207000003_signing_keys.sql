-- Signed packages: a province's ed25519 public keys (the private half
-- stays with the province, in a file `baton keys new` wrote). NULL
-- province: the nation's. A revoked key signs nothing new and its packages
-- no longer load.
CREATE TABLE signing_keys (
    key_id        TEXT PRIMARY KEY,
    province_code TEXT REFERENCES org_units (code),
    public_key    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    revoked_at    BIGINT
);
CREATE INDEX signing_keys_province ON signing_keys (province_code);

-- The key a stored package was signed with, checked again at every load.
ALTER TABLE plugins ADD COLUMN signed_by TEXT REFERENCES signing_keys (key_id);
