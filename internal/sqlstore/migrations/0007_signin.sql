-- Sign-in for people: their passwords, sessions, one-time links (invitations, password
-- resets), second factors (TOTP and recovery codes) and the counters of failed sign-ins. No
-- secret is kept in clear: passwords as argon2id PHC strings, session secrets and recovery
-- codes as keyed hashes, link tokens not at all (they are derived from the link's id), TOTP
-- seeds sealed with AES-GCM under a key the database does not hold.

-- The language a person's mails are written in ("fr", "en"; empty: the default, French).
ALTER TABLE identities ADD COLUMN language TEXT NOT NULL DEFAULT '';

CREATE TABLE passwords (
    identity_id TEXT NOT NULL PRIMARY KEY REFERENCES identities (id),
    hash TEXT NOT NULL, -- $argon2id$v=19$m=...,t=...,p=...$salt$hash
    changed_at BIGINT NOT NULL
);

-- A session is found by the keyed hash of its secret (the cookie); id names it in lists. A
-- pending session is the step between a right password and a second factor: it signs nothing in.
CREATE TABLE sessions (
    id TEXT NOT NULL PRIMARY KEY,
    hash TEXT NOT NULL,
    identity_id TEXT NOT NULL REFERENCES identities (id),
    account_id TEXT NOT NULL, -- the account chosen; '' none yet
    pending BIGINT NOT NULL, -- 1 while the second factor is awaited
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL, -- the absolute timeout
    last_seen_at BIGINT NOT NULL,
    last_seen_from TEXT NOT NULL,
    user_agent TEXT NOT NULL
);
CREATE UNIQUE INDEX sessions_hash ON sessions (hash);
CREATE INDEX sessions_identity ON sessions (identity_id, created_at);

-- One-time links: the token is HMAC(hash key, id), never stored.
CREATE TABLE links (
    id TEXT NOT NULL PRIMARY KEY,
    kind TEXT NOT NULL, -- invitation, password_reset
    identity_id TEXT NOT NULL REFERENCES identities (id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT NOT NULL -- 0 while unused
);
CREATE INDEX links_identity ON links (identity_id);

-- A person's TOTP seed, sealed; last_step is the last time step a code was accepted for, so
-- that no code is accepted twice.
CREATE TABLE second_factors (
    identity_id TEXT NOT NULL PRIMARY KEY REFERENCES identities (id),
    sealed TEXT NOT NULL, -- base64 of nonce and AES-GCM ciphertext
    created_at BIGINT NOT NULL,
    confirmed_at BIGINT NOT NULL, -- 0 while the enrolment awaits its first code
    last_step BIGINT NOT NULL
);

CREATE TABLE recovery_codes (
    identity_id TEXT NOT NULL REFERENCES identities (id),
    hash TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    used_at BIGINT NOT NULL, -- 0 while unused
    PRIMARY KEY (identity_id, hash)
);

-- Failed sign-ins, per subject: a person's e-mail (its keyed hash) or a client address.
CREATE TABLE signin_throttles (
    subject TEXT NOT NULL PRIMARY KEY,
    failures BIGINT NOT NULL, -- failures in the current window
    window_start BIGINT NOT NULL,
    last_failure_at BIGINT NOT NULL,
    locks BIGINT NOT NULL, -- locks so far, which double the next one
    locked_until BIGINT NOT NULL
);

-- Passkeys (WebAuthn credentials): public keys, stored as the JSON the WebAuthn library reads.
CREATE TABLE passkeys (
    id TEXT NOT NULL PRIMARY KEY, -- base64url of the credential id
    identity_id TEXT NOT NULL REFERENCES identities (id),
    name TEXT NOT NULL,
    credential TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL
);
CREATE INDEX passkeys_identity ON passkeys (identity_id);

-- The server's half of a WebAuthn ceremony under way (its challenge), short-lived, taken once.
CREATE TABLE webauthn_ceremonies (
    id TEXT NOT NULL PRIMARY KEY,
    identity_id TEXT NOT NULL, -- '' for a sign-in, where the passkey names the person
    kind TEXT NOT NULL, -- registration, sign_in
    data TEXT NOT NULL, -- JSON of the library's session data
    expires_at BIGINT NOT NULL
);
