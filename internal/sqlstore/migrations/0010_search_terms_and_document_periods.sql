-- What a contract search looks up (ContractFilter.Search): the terms of each contract, ASCII
-- letters in lower case and nothing else folded, so that both databases compare the same way:
-- its number, its number without the letters it starts with (0000005 for OCB0000005), and
-- each word of its name (split at spaces). A search keeps the contracts that have, for each
-- word of the search, a term that starts with it: a range of this table's primary key, where
-- a substring search had to read every contract the account sees. The store writes the terms
-- with every contract it creates or changes; this fills them for the contracts already stored,
-- from contracts.search_text (migration 0009: number and name, folded the same way), then
-- drops that column, which no query reads any more.
CREATE TABLE contract_search_terms (
    term TEXT NOT NULL,
    contract_id TEXT NOT NULL REFERENCES contracts (id),
    PRIMARY KEY (term, contract_id)
);
-- Replacing a contract's terms.
CREATE INDEX contract_search_terms_contract ON contract_search_terms (contract_id);

-- Each word of "number name": walk the text one character at a time, the word so far in
-- word; a word is complete when the rest starts with a space. The empty word is cut from
-- search_text so that it has the column's collation on PostgreSQL.
WITH RECURSIVE walk (contract_id, rest, word) AS (
    SELECT id, search_text || ' ', substr(search_text, 1, 0) FROM contracts
    UNION ALL
    SELECT contract_id, substr(rest, 2),
        CASE WHEN substr(rest, 1, 1) = ' ' THEN substr(rest, 1, 0) ELSE word || substr(rest, 1, 1) END
    FROM walk WHERE rest <> ''
)
INSERT INTO contract_search_terms (term, contract_id)
SELECT DISTINCT word, contract_id FROM walk WHERE word <> '' AND substr(rest, 1, 1) = ' ';

-- The number without its leading letters (the number itself is the first word above).
INSERT INTO contract_search_terms (term, contract_id)
SELECT DISTINCT ltrim(substr(search_text, 1, length(id)), 'abcdefghijklmnopqrstuvwxyz'), id FROM contracts
WHERE ltrim(substr(search_text, 1, length(id)), 'abcdefghijklmnopqrstuvwxyz') NOT IN ('', substr(search_text, 1, length(id)))
ON CONFLICT (term, contract_id) DO NOTHING;

ALTER TABLE contracts DROP COLUMN search_text;

-- The documents of one period across the contracts an account sees
-- (DocumentStore.AccountDocuments), newest first: the page comes in index order, each
-- document checked against the account's contracts by primary keys.
CREATE INDEX documents_period_newest ON documents (period DESC, created_at DESC, id DESC);
