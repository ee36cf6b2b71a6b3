-- The HTML part of an e-mail (sent as multipart/alternative after the text of body), e.g. the daily breach
-- report's printable page; NULL for text-only e-mails and for webhooks.
ALTER TABLE notifications ADD COLUMN html bytea;
