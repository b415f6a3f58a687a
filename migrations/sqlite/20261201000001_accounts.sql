-- Accounts for real deployments: a one-time activation code for the first
-- sign-in (and after a reset), switching an account off, and a record of
-- every change to accounts and their grants.

ALTER TABLE accounts ADD COLUMN disabled_at BIGINT;

-- A code a person signs in with once, to choose their password. It is printed
-- on their activation slip, so it is kept readable until used, replaced or
-- expired; it opens nothing but the form that sets a password.
CREATE TABLE activation_codes (
    account_id BIGINT PRIMARY KEY REFERENCES accounts (id),
    code       TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    issued_at  BIGINT NOT NULL
);

-- Who changed which account, when, and how. actor_id NULL: the server's
-- operator, on the command line.
CREATE TABLE account_events (
    id         INTEGER PRIMARY KEY,
    at         BIGINT NOT NULL,
    actor_id   BIGINT REFERENCES accounts (id),
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    event      TEXT NOT NULL CHECK (event IN ('created', 'granted', 'revoked', 'code-issued',
                                              'activated', 'disabled', 'enabled')),
    detail     TEXT NOT NULL
);
CREATE INDEX account_events_account ON account_events (account_id, id);

-- A role is held once at a unit.
CREATE UNIQUE INDEX role_grants_once ON role_grants (account_id, role, COALESCE(unit_code, ''));
CREATE INDEX role_grants_unit ON role_grants (unit_code);
-- A roster finds the account of each of its people.
CREATE INDEX accounts_person ON accounts (person_id);

-- A person elected again keeps their account: found by name and phone.
CREATE INDEX people_phone ON people (phone);

-- Moving a module's enrollments to a new version finds them by version.
CREATE INDEX enrollments_version ON enrollments (plugin_id, plugin_version);
