-- E-mail over SMTP (issue 14): an official gives the address reminders and
-- escalations reach them at; a province sets its SMTP server in
-- channel_settings (channel 'email', allowed since 20261202000001).
ALTER TABLE accounts ADD COLUMN email TEXT;
