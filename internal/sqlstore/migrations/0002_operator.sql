-- What operating eccs needs: closing contracts, recording who accepted an application's terms,
-- operator tokens for the admin API, one-time claim links, the audit trail, and the indexes of
-- the operator's lists. Like 0001, it is written in the SQL that SQLite and PostgreSQL share:
-- internal/postgres/migrations/0002_operator.sql is this file with text keys declared
-- COLLATE "C".
--
-- The new tables have no foreign keys, on purpose: an operator token names nothing; a claim's
-- object_id names an API key or an application, depending on its kind; an audit event must
-- outlive what it names (and an actor may be the system), and appending one must never fail
-- because of what it names.

ALTER TABLE contracts ADD COLUMN closed_at BIGINT NOT NULL DEFAULT 0; -- 0 while open
ALTER TABLE applications ADD COLUMN terms_accepted_by TEXT NOT NULL DEFAULT '';
ALTER TABLE api_keys ADD COLUMN replaced_by TEXT NOT NULL DEFAULT ''; -- the key a rotation issued

-- The operator's lists, sorted by id within what they filter on.
DROP INDEX billing_accounts_customer_id;
CREATE INDEX billing_accounts_customer ON billing_accounts (customer_id, id);
DROP INDEX contracts_offer_id;
CREATE INDEX contracts_offer ON contracts (offer_id, id);

-- API key lists filter on the account and on the expiry, and sort by expiry then id.
DROP INDEX api_keys_account_id;
CREATE INDEX api_keys_account_expires ON api_keys (account_id, expires_at, id);
CREATE INDEX api_keys_expires ON api_keys (expires_at, id);

-- Uploads look a contract's documents up by file name.
CREATE INDEX documents_contract_filename ON documents (contract_id, filename);

CREATE TABLE operator_tokens (
    id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    hash TEXT NOT NULL, -- keyed HMAC of the token; the token itself is never stored
    prefix TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL DEFAULT 0, -- 0: never
    revoked_at BIGINT NOT NULL DEFAULT 0,
    last_used_at BIGINT NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX operator_tokens_hash ON operator_tokens (hash);
CREATE INDEX operator_tokens_created ON operator_tokens (created_at, id);

CREATE TABLE claims (
    id TEXT NOT NULL PRIMARY KEY,
    hash TEXT NOT NULL, -- keyed HMAC of the link's token
    kind TEXT NOT NULL,
    object_id TEXT NOT NULL, -- an API key's or an application's id, as kind says
    sealed TEXT NOT NULL, -- the sealed secret, standard base64 (TEXT is the same type in both databases)
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX claims_hash ON claims (hash);
CREATE INDEX claims_expires ON claims (expires_at);

CREATE TABLE audit_events (
    id TEXT NOT NULL PRIMARY KEY,
    at BIGINT NOT NULL,
    actor_type TEXT NOT NULL,
    actor_id TEXT NOT NULL,
    application_id TEXT NOT NULL,
    request_id TEXT NOT NULL,
    action TEXT NOT NULL,
    object_type TEXT NOT NULL,
    object_id TEXT NOT NULL,
    details TEXT NOT NULL -- a JSON object of strings, {} when there are none
);
-- Lists are newest first (at DESC, id DESC), by object, by actor, or all.
CREATE INDEX audit_events_object ON audit_events (object_type, object_id, at, id);
CREATE INDEX audit_events_actor ON audit_events (actor_type, actor_id, at, id);
CREATE INDEX audit_events_at ON audit_events (at, id);
