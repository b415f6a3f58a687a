-- 长辈模式 (issue 18): larger text and tap targets, higher contrast,
-- remembered per account. 1 on, 0 off.
ALTER TABLE accounts ADD COLUMN easy_reading INTEGER NOT NULL DEFAULT 0;
