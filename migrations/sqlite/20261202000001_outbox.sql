-- Reaching people outside the app (issue 14). Every notice (a module's, a
-- trainer's reminder, a due date's reminder or escalation) stays the in-app
-- record in `notices`; the outbox fans each out to the channels its
-- recipient can be reached on, one row per recipient address and channel.

-- Who sent a notice (an account; NULL for a module or the scheduler) and
-- what kind it is: notice, reminder, due or escalation.
ALTER TABLE notices ADD COLUMN sent_by BIGINT REFERENCES accounts (id);
ALTER TABLE notices ADD COLUMN kind TEXT NOT NULL DEFAULT 'notice';
-- A new notice waits to be fanned out to the outbox (0) in the same
-- transaction that writes it; those already there are done (1), so nobody
-- gets an SMS for last month's. Exactly once, with no cursor to race.
ALTER TABLE notices ADD COLUMN fanned_out BIGINT NOT NULL DEFAULT 1;
CREATE INDEX notices_to_fan_out ON notices (id) WHERE fanned_out = 0;
-- Officials read notices to their unit ('unit:CODE').
CREATE INDEX notices_recipient_at ON notices (recipient, created_at);
CREATE INDEX notices_sent_by ON notices (sent_by, created_at);

-- Where a channel delivers, set per org unit: a province's SMS gateway and
-- SMTP server, a township's or county's WeCom / DingTalk group robot, a
-- province's reminder schedule. The nearest unit up the tree with a
-- setting for a channel is the one used.
CREATE TABLE channel_settings (
    unit_code  TEXT NOT NULL REFERENCES org_units (code),
    channel    TEXT NOT NULL CHECK (channel IN ('sms', 'wecom', 'dingtalk', 'email', 'schedule')),
    config     TEXT NOT NULL,
    updated_by BIGINT NOT NULL REFERENCES accounts (id),
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (unit_code, channel)
);

-- One message to one address on one channel. `dedup_key` makes every
-- message exactly one row however many host processes fan out at once;
-- a host claims an address's due rows at once by moving them to 'sending'
-- under its token with a lease.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    dedup_key   TEXT NOT NULL UNIQUE,
    notice_id   BIGINT NOT NULL REFERENCES notices (id),
    channel     TEXT NOT NULL CHECK (channel IN ('sms', 'wecom', 'dingtalk', 'email')),
    recipient   TEXT NOT NULL,
    address     TEXT NOT NULL,
    status      TEXT NOT NULL DEFAULT 'queued'
                CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'dead', 'folded')),
    attempts    BIGINT NOT NULL DEFAULT 0,
    next_at     BIGINT NOT NULL,
    lease_until BIGINT,
    claimed_by  TEXT,
    last_error  TEXT,
    sent_at     BIGINT,
    folded_into BIGINT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX outbox_due ON outbox (status, next_at);
CREATE INDEX outbox_notice ON outbox (notice_id);
CREATE INDEX outbox_address ON outbox (channel, address, sent_at);

-- At most one delivery per address, channel and (Beijing) day: the host
-- that takes the day's slot sends; the rest wait for tomorrow's digest.
CREATE TABLE daily_slots (
    channel TEXT NOT NULL,
    address TEXT NOT NULL,
    day     TEXT NOT NULL,
    PRIMARY KEY (channel, address, day)
);

-- Which due-date stages an enrollment has had (remind-7, remind-1,
-- township, county, province): each fires once, on any host.
CREATE TABLE due_stages (
    enrollment_id BIGINT NOT NULL REFERENCES enrollments (id),
    stage         TEXT NOT NULL,
    at            BIGINT NOT NULL,
    PRIMARY KEY (enrollment_id, stage)
);

-- A trainer paused an enrollment's reminders and escalations, and why.
CREATE TABLE reminder_pauses (
    enrollment_id BIGINT PRIMARY KEY REFERENCES enrollments (id),
    reason        TEXT NOT NULL,
    paused_by     BIGINT NOT NULL REFERENCES accounts (id),
    paused_at     BIGINT NOT NULL
);
