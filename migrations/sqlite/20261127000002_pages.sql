-- When an account last looked at its notices: newer ones are shown as new.
ALTER TABLE accounts ADD COLUMN notices_seen_at BIGINT NOT NULL DEFAULT 0;
-- The township queue and reminders look notices up by recipient.
CREATE INDEX notices_recipient ON notices (recipient, enrollment_id);
