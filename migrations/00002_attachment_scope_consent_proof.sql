-- +goose Up
-- An attachment is visible only with its record: the records policy then
-- decides (purpose and restriction of processing, art. 18), so a restricted
-- record's CV is hidden from everyone but the DPO, in the database itself.
DROP POLICY attachments_by_purpose ON attachments;
CREATE POLICY attachments_by_purpose ON attachments
    USING (purpose = ANY (portal_purposes())
           AND EXISTS (SELECT 1 FROM records r WHERE r.id = attachments.record_id))
    WITH CHECK (purpose = ANY (portal_purposes()));

-- The consents ledger is proof (art. 7(1)): deleting a subject (erasure)
-- unlinks its rows instead of deleting them through the cascade, which the
-- application role could otherwise use to empty an append-only ledger.
ALTER TABLE consents DROP CONSTRAINT consents_subject_id_fkey;
ALTER TABLE consents ADD CONSTRAINT consents_subject_id_fkey
    FOREIGN KEY (subject_id) REFERENCES subjects (id) ON DELETE SET NULL;

-- +goose Down
ALTER TABLE consents DROP CONSTRAINT consents_subject_id_fkey;
ALTER TABLE consents ADD CONSTRAINT consents_subject_id_fkey
    FOREIGN KEY (subject_id) REFERENCES subjects (id) ON DELETE CASCADE;
DROP POLICY attachments_by_purpose ON attachments;
CREATE POLICY attachments_by_purpose ON attachments
    USING (purpose = ANY (portal_purposes()))
    WITH CHECK (purpose = ANY (portal_purposes()));
