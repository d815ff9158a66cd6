-- What a contract search looks in (ContractFilter.Search): the contract's number and name with
-- ASCII letters in lower case and nothing else folded, so that both databases compare the same
-- way. The store writes it with every contract it creates or changes; this fills it for the
-- contracts already stored.
ALTER TABLE contracts ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
UPDATE contracts SET search_text = replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(id || ' ' || name, 'A', 'a'), 'B', 'b'), 'C', 'c'), 'D', 'd'), 'E', 'e'), 'F', 'f'), 'G', 'g'), 'H', 'h'), 'I', 'i'), 'J', 'j'), 'K', 'k'), 'L', 'l'), 'M', 'm'), 'N', 'n'), 'O', 'o'), 'P', 'p'), 'Q', 'q'), 'R', 'r'), 'S', 's'), 'T', 't'), 'U', 'u'), 'V', 'v'), 'W', 'w'), 'X', 'x'), 'Y', 'y'), 'Z', 'z');
