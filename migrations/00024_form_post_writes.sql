-- +goose Up
-- A public form post writes, per person, a subject, a record, one ledger
-- row per consent box and their consent_state rows; every index and
-- foreign-key check on those rows is paid on each post.
--
-- consents_subject_kind (subject, kind, date) repeats the leading column of
-- consents_subject_purpose_kind (subject, purpose, kind, date, id), which
-- serves every read of one person's ledger (rights package, withdrawal,
-- retention's latest answer, the cascade from subjects): two index entries
-- per post for no reader.
DROP INDEX consents_subject_kind;

-- consent_state is derived from the ledger by its triggers, and each of its
-- rows is the latest ledger row of a subject: that row's own foreign key
-- (consents.subject_id, ON DELETE CASCADE) already proves the subject, and
-- deleting or unlinking it (erasure, retention) removes or replaces the
-- state row (consents_state_forget). The state's own key check ran once per
-- box on every post, inside the ledger's statement trigger.
ALTER TABLE consent_state DROP CONSTRAINT consent_state_subject_id_fkey;

-- +goose Down
ALTER TABLE consent_state ADD CONSTRAINT consent_state_subject_id_fkey
    FOREIGN KEY (subject_id) REFERENCES subjects (id) ON DELETE CASCADE;
CREATE INDEX consents_subject_kind ON consents (subject_id, kind, created_at DESC);
