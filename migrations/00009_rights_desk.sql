-- +goose Up
-- The DPO's rights desk: deadlines that stop and extend, the timeline's
-- reasons, single-use download packages, identity documents asked only on
-- reasonable doubt, and post-mortem directives (French law, art. 85).

-- The deadline (due_at) moves only by an extension (once, art. 12(3)) or by
-- the time spent waiting for the person (paused_at: since when the clock is
-- stopped). answered_at is set when the request is done or refused.
ALTER TABLE rights_requests
    ADD COLUMN extended_at       timestamptz,
    ADD COLUMN paused_at         timestamptz,
    ADD COLUMN answered_at       timestamptz,
    ADD COLUMN cookie_consent_id uuid; -- a cookie-choice proof the person pointed us to
CREATE INDEX rights_requests_queue ON rights_requests (due_at, id) WHERE email_confirmed_at IS NOT NULL;
CREATE INDEX rights_requests_subject ON rights_requests (subject_id);

-- A timeline event may carry a reason or the fields changed (encrypted,
-- bound to its request): never the old values.
ALTER TABLE rights_request_events ADD COLUMN note bytea;

-- Reminders already sent to the DPO (7 days, 2 days, overdue): once each.
CREATE TABLE rights_reminders (
    request_id uuid NOT NULL REFERENCES rights_requests (id) ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind IN ('7d', '2d', 'overdue')),
    sent_at    timestamptz NOT NULL,
    PRIMARY KEY (request_id, kind)
);
GRANT SELECT, INSERT ON rights_reminders TO portal_app;

-- The access/portability package, encrypted until its single use: the
-- download empties it (package NULL) and stamps used_at.
CREATE TABLE rights_packages (
    id         uuid PRIMARY KEY,
    request_id uuid REFERENCES rights_requests (id) ON DELETE SET NULL,
    content    bytea,
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL
);
GRANT SELECT, INSERT, UPDATE, DELETE ON rights_packages TO portal_app;

-- An identity document asked for with a reason: the slot exists from the
-- ask; the upload fills it once; the answer destroys it unless the DPO keeps
-- one copy as evidence in a dispute (kept_at).
CREATE TABLE rights_id_documents (
    id           uuid PRIMARY KEY,
    request_id   uuid NOT NULL REFERENCES rights_requests (id) ON DELETE CASCADE,
    asked_at     timestamptz NOT NULL,
    uploaded_at  timestamptz,
    mime         text,
    size         bigint,
    filename     bytea, -- encrypted
    content      bytea, -- encrypted
    destroyed_at timestamptz,
    kept_at      timestamptz
);
CREATE INDEX rights_id_documents_request ON rights_id_documents (request_id);
GRANT SELECT, INSERT, UPDATE ON rights_id_documents TO portal_app;

-- Post-mortem directives: the instructions and the designated person,
-- encrypted; revocable (revoked_at), never edited in place.
CREATE TABLE post_mortem_directives (
    id         uuid PRIMARY KEY,
    subject_id uuid REFERENCES subjects (id) ON DELETE CASCADE,
    request_id uuid REFERENCES rights_requests (id) ON DELETE SET NULL,
    content    bytea NOT NULL,
    created_at timestamptz NOT NULL,
    revoked_at timestamptz
);
CREATE INDEX post_mortem_directives_subject ON post_mortem_directives (subject_id);
GRANT SELECT, INSERT, UPDATE, DELETE ON post_mortem_directives TO portal_app; -- DELETE: erasure

-- Erasure reduces consent proofs to what the law requires (art. 7(1)): the
-- fact, kind, time, policy version and wording hash stay, unlinked from the
-- person. The ledger stays append-only for the app: only this function,
-- run for one subject being erased, unlinks rows.
-- +goose StatementBegin
CREATE FUNCTION portal_unlink_consents(p_subject uuid) RETURNS bigint
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    WITH u AS (UPDATE consents SET subject_id = NULL, record_id = NULL WHERE subject_id = p_subject RETURNING 1)
    SELECT count(*) FROM u
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION portal_unlink_consents(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_unlink_consents(uuid) TO portal_app;

-- +goose Down
DROP FUNCTION portal_unlink_consents(uuid);
DROP TABLE post_mortem_directives;
DROP TABLE rights_id_documents;
DROP TABLE rights_packages;
DROP TABLE rights_reminders;
ALTER TABLE rights_request_events DROP COLUMN note;
DROP INDEX rights_requests_subject;
DROP INDEX rights_requests_queue;
ALTER TABLE rights_requests DROP COLUMN cookie_consent_id, DROP COLUMN answered_at,
    DROP COLUMN paused_at, DROP COLUMN extended_at;
