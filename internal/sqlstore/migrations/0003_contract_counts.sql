-- How many contracts each (billing account, offer) pair holds. An administrator's contract list
-- counts its perimeter from these few rows instead of every contract in it, so a page costs the
-- same whether the perimeter holds a thousand contracts or a hundred thousand. The store keeps it
-- in the transaction that creates a contract (contracts are never deleted, and never change
-- their billing account or offer).
CREATE TABLE contract_counts (
    billing_account_id TEXT NOT NULL REFERENCES billing_accounts (id),
    offer_id TEXT NOT NULL REFERENCES offers (id),
    n BIGINT NOT NULL,
    PRIMARY KEY (billing_account_id, offer_id)
);
INSERT INTO contract_counts (billing_account_id, offer_id, n)
SELECT billing_account_id, offer_id, count(*) FROM contracts GROUP BY billing_account_id, offer_id;
