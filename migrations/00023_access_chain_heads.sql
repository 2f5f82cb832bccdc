-- +goose Up
-- Appending to the access log, cheaper per event (every back-office read
-- writes one, in the read's transaction: no log, no data).

-- Each chain's newest link, kept in one small row per chain. An append
-- takes that row's lock (held to commit, so ids still grow in chain order)
-- and reads the previous hash in the same UPDATE, where it used to take an
-- advisory lock and look the previous row up in the chain's index. The
-- row is a copy, not the evidence: each event still carries the hash of
-- the one before it, and `portal auditlog verify` reads only the events. A
-- head set to a wrong hash makes the next event's link fail verification.
-- A chain's head is created by its first append (from the chain's newest
-- event or pruning checkpoint, as before).
CREATE TABLE access_chain_heads (
    chain     smallint PRIMARY KEY CHECK (chain >= 0),
    prev_hash bytea NOT NULL, -- the link before the newest: how one UPDATE returns the previous hash
    hash      bytea NOT NULL
) WITH (fillfactor = 20); -- updated on every append: room for HOT updates on the same page

GRANT SELECT, INSERT, UPDATE ON access_chain_heads TO portal_app;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION portal_log_access(
    p_chain smallint, p_at timestamptz, p_staff uuid, p_role text, p_action text, p_purpose text,
    p_record uuid, p_subject uuid, p_ip text, p_ua text, p_outcome text, p_restricted boolean, p_digest bytea,
    p_target_staff uuid
) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    prev bytea;
    link bytea;
    new_id bigint;
BEGIN
    UPDATE access_chain_heads SET prev_hash = hash, hash = sha256(hash || p_digest)
        WHERE chain = p_chain RETURNING prev_hash, hash INTO prev, link;
    IF NOT FOUND THEN
        -- The chain's first append since heads were kept. Two first appends
        -- meet on the primary key: the second waits, then links to the first.
        SELECT hash INTO prev FROM access_events WHERE chain = p_chain ORDER BY id DESC LIMIT 1;
        IF prev IS NULL THEN
            SELECT hash INTO prev FROM access_checkpoints WHERE chain = p_chain ORDER BY upto_id DESC LIMIT 1;
        END IF;
        prev := coalesce(prev, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);
        INSERT INTO access_chain_heads AS h (chain, prev_hash, hash) VALUES (p_chain, prev, sha256(prev || p_digest))
            ON CONFLICT (chain) DO UPDATE SET prev_hash = h.hash, hash = sha256(h.hash || p_digest)
            RETURNING h.prev_hash, h.hash INTO prev, link;
    END IF;
    INSERT INTO access_events (chain, at, staff_id, role, action, purpose, record_id, subject_id,
                               ip, user_agent, outcome, restricted, digest, prev_hash, hash, target_staff_id)
    VALUES (p_chain, p_at, p_staff, p_role, p_action, p_purpose, p_record, p_subject,
            p_ip, p_ua, p_outcome, p_restricted, p_digest, prev, link, p_target_staff)
    RETURNING id INTO new_id;
    RETURN new_id;
END
$$;
-- +goose StatementEnd

-- The first signature (without a target staff id) has had no caller since
-- 00008, and still took the advisory lock the chains no longer use.
DROP FUNCTION portal_log_access(smallint, timestamptz, uuid, text, text, text, uuid, uuid, text, text, text, boolean, bytea);

-- Every index of access_events is written by every append, and most
-- appends are views (every record opened). The DPO filters on a rare action
-- (erasures, holds, staff changes…) through an index that leaves the views
-- out; views are found walking the primary key backwards, or through the
-- staff member's or the subject's index (models.AccessFilter adds the clause
-- that lets the planner use the partial index). The request id is looked up
-- only when an incident is investigated, within a time window
-- (access_events_at): its index took a random page per append. The role and
-- purpose indexes stay: without them, a filter on a role or a purpose whose
-- events are not among the newest walked the whole log (255 ms on a million
-- events).
DROP INDEX access_events_request;
DROP INDEX access_events_action;
CREATE INDEX access_events_action ON access_events (action, id DESC) WHERE action <> 'view';

-- +goose Down
DROP INDEX access_events_action;
CREATE INDEX access_events_action ON access_events (action, id DESC);
CREATE INDEX access_events_request ON access_events (request_id) WHERE request_id IS NOT NULL;
-- +goose StatementBegin
CREATE FUNCTION portal_log_access(
    p_chain smallint, p_at timestamptz, p_staff uuid, p_role text, p_action text, p_purpose text,
    p_record uuid, p_subject uuid, p_ip text, p_ua text, p_outcome text, p_restricted boolean, p_digest bytea
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
                               ip, user_agent, outcome, restricted, digest, prev_hash, hash)
    VALUES (p_chain, p_at, p_staff, p_role, p_action, p_purpose, p_record, p_subject,
            p_ip, p_ua, p_outcome, p_restricted, p_digest, prev, sha256(prev || p_digest))
    RETURNING id INTO new_id;
    RETURN new_id;
END
$$;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION portal_log_access(
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
DROP TABLE access_chain_heads;
