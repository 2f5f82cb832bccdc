-- +goose Up
-- A rights request's timeline is evidence of how the request was handled
-- (art. 12(3), 5(2)). Deleting a request (an unconfirmed one, after its link
-- expired) unlinks its events instead of deleting them through the cascade,
-- which the application role could otherwise use to empty an append-only
-- table, as consents already are.
ALTER TABLE rights_request_events ALTER COLUMN request_id DROP NOT NULL;
ALTER TABLE rights_request_events DROP CONSTRAINT rights_request_events_request_id_fkey;
ALTER TABLE rights_request_events ADD CONSTRAINT rights_request_events_request_id_fkey
    FOREIGN KEY (request_id) REFERENCES rights_requests (id) ON DELETE SET NULL;

-- Signed heads form their own chain: each head's signature covers the
-- signature of the chain's previous head, so deleting a head (to hide a
-- rewrite below it) breaks the next one. NULL on heads signed before this
-- migration.
ALTER TABLE access_heads ADD COLUMN prev_signature bytea;

-- A staff-admin event names the account it changed.
ALTER TABLE access_events ADD COLUMN target_staff_id uuid;
CREATE INDEX access_events_target_staff ON access_events (target_staff_id, id DESC) WHERE target_staff_id IS NOT NULL;

-- +goose StatementBegin
CREATE FUNCTION portal_log_access(
    p_chain smallint, p_at timestamptz, p_staff uuid, p_role text, p_action text, p_purpose text,
    p_record uuid, p_subject uuid, p_ip text, p_ua text, p_outcome text, p_restricted boolean, p_digest bytea,
    p_target_staff uuid
) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    prev bytea;
    new_id bigint;
BEGIN
    PERFORM pg_advisory_xact_lock(727, p_chain);
    SELECT hash INTO prev FROM access_events WHERE chain = p_chain ORDER BY id DESC LIMIT 1;
    IF prev IS NULL THEN
        SELECT hash INTO prev FROM access_checkpoints WHERE chain = p_chain ORDER BY upto_id DESC LIMIT 1;
    END IF;
    prev := coalesce(prev, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);
    INSERT INTO access_events (chain, at, staff_id, role, action, purpose, record_id, subject_id,
                               ip, user_agent, outcome, restricted, digest, prev_hash, hash, target_staff_id)
    VALUES (p_chain, p_at, p_staff, p_role, p_action, p_purpose, p_record, p_subject,
            p_ip, p_ua, p_outcome, p_restricted, p_digest, prev, sha256(prev || p_digest), p_target_staff)
    RETURNING id INTO new_id;
    RETURN new_id;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION portal_log_access(smallint, timestamptz, uuid, text, text, text, uuid, uuid, text, text, text, boolean, bytea, uuid);
DROP INDEX access_events_target_staff;
ALTER TABLE access_events DROP COLUMN target_staff_id;
ALTER TABLE access_heads DROP COLUMN prev_signature;
ALTER TABLE rights_request_events DROP CONSTRAINT rights_request_events_request_id_fkey;
ALTER TABLE rights_request_events ADD CONSTRAINT rights_request_events_request_id_fkey
    FOREIGN KEY (request_id) REFERENCES rights_requests (id) ON DELETE CASCADE;
ALTER TABLE rights_request_events ALTER COLUMN request_id SET NOT NULL;
