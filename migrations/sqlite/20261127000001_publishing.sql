-- Who published which module version, and when: the audit trail a province's
-- uploads leave. Packages themselves are in `plugins`, never overwritten.
CREATE TABLE plugin_events (
    id         INTEGER PRIMARY KEY,
    plugin_id  TEXT NOT NULL,
    version    TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    -- published
    event      TEXT NOT NULL,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    -- The owning province's code; NULL for a national module.
    owner      TEXT REFERENCES org_units (code),
    at         BIGINT NOT NULL,
    FOREIGN KEY (plugin_id, version) REFERENCES plugins (id, version)
);
CREATE INDEX plugin_events_plugin ON plugin_events (plugin_id, id);
