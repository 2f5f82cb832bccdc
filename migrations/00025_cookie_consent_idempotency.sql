-- +goose Up
-- A cookie choice retried after a lost answer (a dropped connection, the
-- browser posting the form again) must not leave two proofs of one click:
-- each post carries an idempotency key (consent.js draws one per click,
-- the banner's form one per rendering), stored here, derived with the
-- choice it was sent with. A retry finds the stored proof instead of
-- writing a second (art. 7(1): the ledger proves each choice once).
-- Rows written before this column, and GPC refusals, have none.
ALTER TABLE cookie_consents ADD COLUMN idem_key uuid UNIQUE;

-- +goose Down
ALTER TABLE cookie_consents DROP COLUMN idem_key;
