-- One person per e-mail address (identities), and each customer's own record of them
-- (contacts). What a customer's caller says about a person (login, names, phones) lives on that
-- customer's contact record and is shown only on that customer's contracts; the person's own
-- data (identities) is the operator's, or the person's, to set. A person a customer declared
-- whom no operator has described yet has an empty login, so identities' logins are unique only
-- among those that are set.

CREATE TABLE contacts (
    customer_id TEXT NOT NULL REFERENCES customers (id),
    identity_id TEXT NOT NULL REFERENCES identities (id),
    login TEXT NOT NULL,
    login_key TEXT NOT NULL, -- login lower-cased by the store
    civility TEXT NOT NULL,
    last_name TEXT NOT NULL,
    first_name TEXT NOT NULL,
    fix_phone TEXT NOT NULL,
    mobile_phone TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (customer_id, identity_id)
);
-- A login names one person within a customer.
CREATE UNIQUE INDEX contacts_customer_login_key ON contacts (customer_id, login_key);
CREATE INDEX contacts_identity_id ON contacts (identity_id);

-- Until now the first caller's data was the person's: it becomes the record of every customer
-- on whose contracts the person is declared or referent.
INSERT INTO contacts (customer_id, identity_id, login, login_key, civility, last_name, first_name,
    fix_phone, mobile_phone, created_at, updated_at)
SELECT b.customer_id, i.id, i.login, i.login_key, i.civility, i.last_name, i.first_name,
    i.fix_phone, i.mobile_phone, i.created_at, i.updated_at
FROM declarations d
JOIN contracts c ON c.id = d.contract_id
JOIN billing_accounts b ON b.id = c.billing_account_id
JOIN identities i ON i.id = d.identity_id
UNION
SELECT b.customer_id, i.id, i.login, i.login_key, i.civility, i.last_name, i.first_name,
    i.fix_phone, i.mobile_phone, i.created_at, i.updated_at
FROM contracts c
JOIN billing_accounts b ON b.id = c.billing_account_id
JOIN identities i ON i.id = c.referent_id;

DROP INDEX identities_login_key;
CREATE UNIQUE INDEX identities_login_key ON identities (login_key) WHERE login_key <> '';
