-- 包村干部 (issue 40): the township officer a village is assigned to. Its
-- queue, reminders and 监交 go to them first; any officer of the township may
-- still act. One contact per village; who assigned them, and when, is kept.
CREATE TABLE village_contacts (
    village_code TEXT PRIMARY KEY REFERENCES org_units (code),
    account_id   BIGINT NOT NULL REFERENCES accounts (id),
    assigned_by  BIGINT REFERENCES accounts (id),
    assigned_at  BIGINT NOT NULL
);
CREATE INDEX village_contacts_account ON village_contacts (account_id);
