-- A photo's thumbnail (240 px on its longest side), beside its phone-sized
-- copy: a page's 120 px thumbnails loaded the 1,280 px copy, ~700 KB each
-- on a village's 2G. Older photos have none and are shown from the phone copy.
ALTER TABLE attachments ADD COLUMN thumb_sha256 TEXT REFERENCES files (sha256);
