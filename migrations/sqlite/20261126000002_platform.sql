-- People, committees, accounts, assignments, enrollments, the action log and
-- the sign-off chain. Booleans are BIGINT 0/1 and times are Unix seconds, the
-- same on both backends. The PostgreSQL file differs only in id columns.

-- 換屆 rounds.
CREATE TABLE terms (
    id         TEXT PRIMARY KEY,          -- '2026'
    name       TEXT NOT NULL,
    elected_on TEXT NOT NULL              -- ISO date
);

CREATE TABLE people (
    id    INTEGER PRIMARY KEY,
    name  TEXT NOT NULL,
    phone TEXT
);

-- The two committees of a village for a term.
CREATE TABLE committees (
    id        INTEGER PRIMARY KEY,
    term_id   TEXT NOT NULL REFERENCES terms (id),
    unit_code TEXT NOT NULL REFERENCES org_units (code),
    kind      TEXT NOT NULL CHECK (kind IN ('party-branch', 'villagers')),
    UNIQUE (unit_code, term_id, kind)
);

-- A seat, held now (departure NULL) or left at this election.
CREATE TABLE committee_members (
    committee_id BIGINT NOT NULL REFERENCES committees (id),
    person_id    BIGINT NOT NULL REFERENCES people (id),
    post         TEXT NOT NULL,
    one_shoulder BIGINT NOT NULL DEFAULT 0,
    departure    TEXT CHECK (departure IN ('retired', 'defeated', 'transferred')),
    years_served BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (committee_id, person_id)
);
CREATE INDEX committee_members_person ON committee_members (person_id);

CREATE TABLE accounts (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,          -- argon2id PHC string
    display_name  TEXT NOT NULL,
    person_id     BIGINT REFERENCES people (id),
    locale        TEXT NOT NULL DEFAULT 'zh-CN',
    created_at    BIGINT NOT NULL
);

-- A role at a unit covers the unit and everything below it. A national
-- administrator's grant has no unit.
CREATE TABLE role_grants (
    id         INTEGER PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    role       TEXT NOT NULL CHECK (role IN ('national-admin', 'province-admin', 'county-trainer',
                                             'township-officer', 'secretary', 'member', 'outgoing-cadre')),
    unit_code  TEXT REFERENCES org_units (code)
);
CREATE INDEX role_grants_account ON role_grants (account_id);

-- Browser sessions and API tokens; only a hash of the secret is stored.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id BIGINT NOT NULL REFERENCES accounts (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE TABLE login_failures (
    username TEXT NOT NULL,
    at       BIGINT NOT NULL
);
CREATE INDEX login_failures_username ON login_failures (username, at);

-- A module version assigned to everyone of an audience under a unit.
CREATE TABLE assignments (
    id             INTEGER PRIMARY KEY,
    plugin_id      TEXT NOT NULL,
    plugin_version TEXT NOT NULL,
    unit_code      TEXT NOT NULL REFERENCES org_units (code),
    audience       TEXT NOT NULL CHECK (audience IN ('secretary', 'every-member', 'committee')),
    due_at         BIGINT NOT NULL,
    config         TEXT NOT NULL,
    created_by     BIGINT NOT NULL REFERENCES accounts (id),
    created_at     BIGINT NOT NULL,
    FOREIGN KEY (plugin_id, plugin_version) REFERENCES plugins (id, version)
);

-- One village's (person_id NULL) or one person's copy of a module. `state`
-- stays NULL until the enrollment is first opened, so enrolling a province is
-- one INSERT … SELECT.
CREATE TABLE enrollments (
    id             INTEGER PRIMARY KEY,
    assignment_id  BIGINT NOT NULL REFERENCES assignments (id),
    unit_code      TEXT NOT NULL REFERENCES org_units (code),
    person_id      BIGINT REFERENCES people (id),
    plugin_id      TEXT NOT NULL,
    plugin_version TEXT NOT NULL,
    state          TEXT,
    done           BIGINT NOT NULL DEFAULT 0,
    total          BIGINT NOT NULL DEFAULT 0,
    revision       BIGINT NOT NULL DEFAULT 0,
    started_at     BIGINT,
    completed_at   BIGINT,
    signoff_head   TEXT,
    created_at     BIGINT NOT NULL,
    FOREIGN KEY (plugin_id, plugin_version) REFERENCES plugins (id, version)
);
CREATE INDEX enrollments_unit ON enrollments (unit_code, plugin_id);
CREATE INDEX enrollments_person ON enrollments (person_id);
CREATE INDEX enrollments_assignment ON enrollments (assignment_id);

-- Every attempt to act, accepted or not. Append-only.
CREATE TABLE actions (
    id              INTEGER PRIMARY KEY,
    enrollment_id   BIGINT NOT NULL REFERENCES enrollments (id),
    account_id      BIGINT NOT NULL REFERENCES accounts (id),
    idempotency_key TEXT NOT NULL,
    request_hash    TEXT NOT NULL,
    role            TEXT NOT NULL,
    action          TEXT NOT NULL,
    payload         TEXT NOT NULL,
    at              BIGINT NOT NULL,
    result          TEXT NOT NULL CHECK (result IN ('accepted', 'rejected', 'fault')),
    status          BIGINT NOT NULL,
    response        TEXT NOT NULL,
    UNIQUE (account_id, idempotency_key)
);
CREATE INDEX actions_enrollment ON actions (enrollment_id, id);

-- Sign-offs, chained per enrollment: each row's hash covers the previous
-- row's hash, and the enrollment keeps the last one (signoff_head).
CREATE TABLE signoffs (
    id            INTEGER PRIMARY KEY,
    enrollment_id BIGINT NOT NULL REFERENCES enrollments (id),
    action_id     BIGINT NOT NULL REFERENCES actions (id),
    signer        TEXT NOT NULL,
    role          TEXT NOT NULL,
    subject       TEXT NOT NULL,
    statement     TEXT NOT NULL,
    at            BIGINT NOT NULL,
    prev_hash     TEXT NOT NULL,
    hash          TEXT NOT NULL
);
CREATE INDEX signoffs_enrollment ON signoffs (enrollment_id, id);

-- Messages a module sent, shown on the recipient's next visit.
CREATE TABLE notices (
    id            INTEGER PRIMARY KEY,
    enrollment_id BIGINT NOT NULL REFERENCES enrollments (id),
    recipient     TEXT NOT NULL,          -- 'person:ID' or 'role:ROLE'
    message       TEXT NOT NULL,          -- {"zh": …, "en": …}
    created_at    BIGINT NOT NULL
);
CREATE INDEX notices_enrollment ON notices (enrollment_id);

-- Roll-ups, kept in step by the transaction that changes an enrollment: one
-- row per assignment and every unit above an enrolled village.
CREATE TABLE completion (
    unit_code     TEXT NOT NULL REFERENCES org_units (code),
    assignment_id BIGINT NOT NULL REFERENCES assignments (id),
    enrolled      BIGINT NOT NULL DEFAULT 0,
    started       BIGINT NOT NULL DEFAULT 0,
    completed     BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (unit_code, assignment_id)
);
