-- Upload quotas: what an account has uploaded is summed on every upload.
CREATE INDEX attachments_account ON attachments (account_id);

-- Refused attempts are counted before every action (a check-in code must
-- not be guessable by trying): only the refused ones are indexed.
CREATE INDEX actions_refused_account ON actions (account_id, action, at) WHERE result = 'rejected';
CREATE INDEX actions_refused ON actions (action, at) WHERE result = 'rejected';
