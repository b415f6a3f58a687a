-- The shared catalog: a province offers a version of its own module to the
-- others; the national administrator approves or refuses it with a reason;
-- any province may then adopt an approved version.
CREATE TABLE catalog (
    module      TEXT NOT NULL,
    version     TEXT NOT NULL,
    offered_by  TEXT NOT NULL REFERENCES org_units (code),
    offered_at  BIGINT NOT NULL,
    note        TEXT NOT NULL DEFAULT '',
    -- offered, approved or refused.
    status      TEXT NOT NULL DEFAULT 'offered',
    reviewed_by BIGINT REFERENCES accounts (id),
    reviewed_at BIGINT,
    reason      TEXT,
    PRIMARY KEY (module, version),
    FOREIGN KEY (module, version) REFERENCES plugins (id, version)
);

-- Where an approved version went: the adopting province, and the module it
-- runs it as (its own configured module made from the definition, or the
-- package itself). Provenance, and for a package the right to assign it.
CREATE TABLE adoptions (
    province   TEXT NOT NULL REFERENCES org_units (code),
    module     TEXT NOT NULL,
    version    TEXT NOT NULL,
    adopted_as TEXT NOT NULL,
    adopted_by BIGINT NOT NULL REFERENCES accounts (id),
    adopted_at BIGINT NOT NULL,
    PRIMARY KEY (province, module, version),
    FOREIGN KEY (module, version) REFERENCES catalog (module, version)
);
