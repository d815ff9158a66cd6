-- Which client secret an access token was issued with. Each rotation of an application's secret
-- counts one more version; a token carries the version of the secret it was issued with, so
-- that once the rotation's overlap ends, tokens issued with the previous secret are refused
-- instead of living until they expire.
ALTER TABLE applications ADD COLUMN secret_version BIGINT NOT NULL DEFAULT 0;
