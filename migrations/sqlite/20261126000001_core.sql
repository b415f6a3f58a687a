-- Administrative divisions, GB/T 2260: province → city → county → township → village.
-- `path` lists the codes from the province down, '/'-separated and '/'-terminated,
-- so "everything under this unit" is one indexed range scan.
CREATE TABLE org_units (
    code        TEXT PRIMARY KEY,
    level       TEXT NOT NULL CHECK (level IN ('province', 'city', 'county', 'township', 'village')),
    name        TEXT NOT NULL,
    parent_code TEXT REFERENCES org_units (code),
    path        TEXT NOT NULL UNIQUE
);
CREATE INDEX org_units_parent ON org_units (parent_code);

-- Module packages. Every host process loads modules from here, so a version
-- published through one is seen by all.
CREATE TABLE plugins (
    id         TEXT NOT NULL,
    version    TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    wasm       BLOB NOT NULL,
    info       TEXT NOT NULL,
    -- The owning province's code; NULL for national (built-in) modules.
    owner      TEXT REFERENCES org_units (code),
    built_in   BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (id, version)
);
