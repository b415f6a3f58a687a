-- Delivery reports (回执, issue 41): the SMS vendor's id for a message it
-- took (Aliyun's BizId, Tencent's SerialNo), and what its report said later:
-- delivered, or not and why.
ALTER TABLE outbox ADD COLUMN vendor_id TEXT;
ALTER TABLE outbox ADD COLUMN receipt TEXT;
ALTER TABLE outbox ADD COLUMN receipt_at BIGINT;
CREATE INDEX outbox_vendor_id ON outbox (vendor_id);
