-- The whole schema of eccs. It is written in the SQL that SQLite and PostgreSQL share, so that
-- the PostgreSQL store applies this very file, with text columns declared
-- COLLATE "C" (lists sort by byte order, as SQLite does).
--
-- Timestamps are BIGINT unix microseconds in UTC; 0 is "never" (the zero time.Time).
-- Unique indexes are named <table>_<column>: the store recognises which one a conflict hit by
-- that name.

CREATE TABLE customers (
    id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    segment TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE billing_accounts (
    id TEXT NOT NULL PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX billing_accounts_customer_id ON billing_accounts (customer_id);

CREATE TABLE offers (
    id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    contract_type TEXT NOT NULL,
    support_levels TEXT NOT NULL, -- the levels in order, joined by commas
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE identities (
    id TEXT NOT NULL PRIMARY KEY,
    login TEXT NOT NULL,
    login_key TEXT NOT NULL, -- login lower-cased by the store
    email TEXT NOT NULL,
    email_key TEXT NOT NULL, -- email lower-cased by the store
    civility TEXT NOT NULL,
    last_name TEXT NOT NULL,
    first_name TEXT NOT NULL,
    fix_phone TEXT NOT NULL,
    mobile_phone TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX identities_email_key ON identities (email_key);
CREATE UNIQUE INDEX identities_login_key ON identities (login_key);

CREATE TABLE contracts (
    id TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL,
    contract_type TEXT NOT NULL,
    offer_id TEXT NOT NULL REFERENCES offers (id),
    billing_account_id TEXT NOT NULL REFERENCES billing_accounts (id),
    platform_id TEXT NOT NULL,
    support_level TEXT NOT NULL,
    referent_id TEXT NOT NULL REFERENCES identities (id),
    reference_ext1 TEXT NOT NULL,
    reference_ext2 TEXT NOT NULL,
    reference_ext3 TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- Perimeter lists join on (billing_account_id, offer_id) and sort by id.
CREATE INDEX contracts_billing_account_offer ON contracts (billing_account_id, offer_id, id);
CREATE INDEX contracts_offer_id ON contracts (offer_id);
CREATE INDEX contracts_referent_id ON contracts (referent_id);

-- Roles are eccs.Role values: 0 none, 1 visitor, 2 manager.
CREATE TABLE declarations (
    contract_id TEXT NOT NULL REFERENCES contracts (id),
    identity_id TEXT NOT NULL REFERENCES identities (id),
    role_contracts SMALLINT NOT NULL,
    role_documents SMALLINT NOT NULL,
    role_users SMALLINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (contract_id, identity_id)
);
-- A client account's list: the contracts its identity is declared on, by id.
CREATE INDEX declarations_identity_contract ON declarations (identity_id, contract_id);

CREATE TABLE accounts (
    id TEXT NOT NULL PRIMARY KEY,
    account_type TEXT NOT NULL,
    identity_id TEXT NOT NULL REFERENCES identities (id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX accounts_identity_id ON accounts (identity_id);

-- An administrator account's perimeter, position keeping the order it was given in.
CREATE TABLE account_billing_accounts (
    account_id TEXT NOT NULL REFERENCES accounts (id),
    billing_account_id TEXT NOT NULL REFERENCES billing_accounts (id),
    position BIGINT NOT NULL,
    PRIMARY KEY (account_id, billing_account_id)
);
CREATE INDEX account_billing_accounts_billing_account_id ON account_billing_accounts (billing_account_id);

CREATE TABLE account_offers (
    account_id TEXT NOT NULL REFERENCES accounts (id),
    offer_id TEXT NOT NULL REFERENCES offers (id),
    position BIGINT NOT NULL,
    PRIMARY KEY (account_id, offer_id)
);
CREATE INDEX account_offers_offer_id ON account_offers (offer_id);

CREATE TABLE api_keys (
    id TEXT NOT NULL PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    hash TEXT NOT NULL, -- keyed HMAC of the key; the key itself is never stored
    prefix TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT NOT NULL DEFAULT 0,
    last_used_at BIGINT NOT NULL DEFAULT 0,
    last_used_from TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX api_keys_hash ON api_keys (hash);
CREATE INDEX api_keys_account_id ON api_keys (account_id);

CREATE TABLE applications (
    id TEXT NOT NULL PRIMARY KEY,
    client_id TEXT NOT NULL,
    name TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    previous_secret_hash TEXT NOT NULL DEFAULT '',
    previous_secret_expires_at BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    subscription TEXT NOT NULL,
    terms_accepted_at BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX applications_client_id ON applications (client_id);

CREATE TABLE documents (
    id TEXT NOT NULL PRIMARY KEY,
    contract_id TEXT NOT NULL REFERENCES contracts (id),
    type TEXT NOT NULL,
    filename TEXT NOT NULL,
    period TEXT NOT NULL, -- YYYYMM
    amount BIGINT NOT NULL, -- cents of currency
    currency TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    blob_key TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
-- A contract's list, newest first.
CREATE INDEX documents_contract_period ON documents (contract_id, period DESC, created_at DESC, id DESC);

CREATE TABLE counters (
    name TEXT NOT NULL PRIMARY KEY,
    value BIGINT NOT NULL
);
