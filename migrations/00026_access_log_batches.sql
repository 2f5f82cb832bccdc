-- +goose Up
-- Access events appended many at a time (models: the access log's group
-- commit). A back-office read no longer writes its event in its own
-- transaction: the read runs read-only (no WAL flush at its end), and its
-- event joins the events of other requests in one transaction that links
-- them in order on one chain and commits them together. Nothing read is
-- shown before that commit (no log, no data).

-- portal_log_batch appends events, in array order, to one chain: it locks
-- the chain's head row (held to commit, so ids still grow in chain order),
-- links each event to the one before it (sha256(prev || digest), the
-- digests computed by the application as portal_access_digest would), writes
-- them in one INSERT and moves the head once. Returns how many it wrote.
-- +goose StatementBegin
CREATE FUNCTION portal_log_batch(
    p_chain smallint, p_at timestamptz[], p_staff uuid[], p_role text[], p_action text[], p_purpose text[],
    p_record uuid[], p_subject uuid[], p_ip text[], p_ua text[], p_outcome text[], p_restricted boolean[],
    p_digest bytea[], p_target_staff uuid[], p_request_id text[]
) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE
    n integer := coalesce(cardinality(p_digest), 0);
    prev bytea;
    prevs bytea[] := '{}';
    links bytea[] := '{}';
BEGIN
    IF n = 0 THEN
        RETURN 0;
    END IF;
    SELECT hash INTO prev FROM access_chain_heads WHERE chain = p_chain FOR UPDATE;
    IF NOT FOUND THEN
        -- The chain's first append since heads were kept (as in
        -- portal_log_access). Two first appends meet on the primary key: the
        -- second waits for the first to commit, then locks its head.
        SELECT hash INTO prev FROM access_events WHERE chain = p_chain ORDER BY id DESC LIMIT 1;
        IF prev IS NULL THEN
            SELECT hash INTO prev FROM access_checkpoints WHERE chain = p_chain ORDER BY upto_id DESC LIMIT 1;
        END IF;
        prev := coalesce(prev, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);
        INSERT INTO access_chain_heads (chain, prev_hash, hash) VALUES (p_chain, prev, prev)
            ON CONFLICT (chain) DO NOTHING;
        SELECT hash INTO prev FROM access_chain_heads WHERE chain = p_chain FOR UPDATE;
    END IF;
    FOR i IN 1..n LOOP
        prevs[i] := prev;
        prev := sha256(prev || p_digest[i]);
        links[i] := prev;
    END LOOP;
    -- Ids are drawn in array order (ORDER BY ord), after the head's lock:
    -- the chain's order is the id order verification walks.
    INSERT INTO access_events (chain, at, staff_id, role, action, purpose, record_id, subject_id,
                               ip, user_agent, outcome, restricted, digest, prev_hash, hash, target_staff_id, request_id)
    SELECT p_chain, e.at, e.staff, e.role, e.action, e.purpose, e.record, e.subject,
           e.ip, e.ua, e.outcome, e.restricted, e.digest, e.prev, e.link, e.target, nullif(e.request, '')
    FROM unnest(p_at, p_staff, p_role, p_action, p_purpose, p_record, p_subject, p_ip, p_ua, p_outcome,
                p_restricted, p_digest, prevs, links, p_target_staff, p_request_id) WITH ORDINALITY
         AS e(at, staff, role, action, purpose, record, subject, ip, ua, outcome, restricted, digest, prev, link,
              target, request, ord)
    ORDER BY e.ord;
    UPDATE access_chain_heads SET prev_hash = prevs[n], hash = prev WHERE chain = p_chain;
    RETURN n;
END
$$;
-- +goose StatementEnd

-- The record view wrote its event with portal_log_record_read, the digest
-- computed in SQL (portal_access_digest); its event is now appended with
-- others, its digest computed by the application: nothing calls them.
DROP FUNCTION portal_log_record_read(smallint, timestamptz, uuid, text, text, text, uuid, text, text, text);
DROP FUNCTION portal_access_digest(smallint, timestamptz, uuid, text, text, text, uuid, uuid, text, text, text, boolean, text);
DROP FUNCTION portal_digest_field(bytea);

-- +goose Down
DROP FUNCTION portal_log_batch(smallint, timestamptz[], uuid[], text[], text[], text[], uuid[], uuid[], text[], text[],
    text[], boolean[], bytea[], uuid[], text[]);
-- portal_access_digest is AccessEvent.digest (models/accesslog.go) in SQL,
-- byte for byte, for an event with no target staff: the chain and the time
-- in microseconds as 8-byte big-endian integers, every field length-prefixed
-- (8 bytes), the restriction flag as one byte, then 'r' and the request id
-- when there is one. `portal auditlog verify` recomputes it in Go.
-- +goose StatementBegin
CREATE FUNCTION portal_digest_field(b bytea) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
    SELECT int8send(octet_length(coalesce(b, ''::bytea))::int8) || coalesce(b, ''::bytea)
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION portal_access_digest(
    p_chain smallint, p_at timestamptz, p_staff uuid, p_role text, p_action text, p_purpose text,
    p_record uuid, p_subject uuid, p_ip text, p_ua text, p_outcome text, p_restricted boolean, p_request_id text
) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
    SELECT sha256(
        int8send(p_chain::int8) || int8send((extract(epoch FROM p_at) * 1000000)::int8)
        || portal_digest_field(uuid_send(p_staff)) || portal_digest_field(convert_to(p_role, 'UTF8'))
        || portal_digest_field(convert_to(p_action, 'UTF8')) || portal_digest_field(convert_to(p_purpose, 'UTF8'))
        || portal_digest_field(uuid_send(p_record)) || portal_digest_field(uuid_send(p_subject))
        || portal_digest_field(convert_to(p_ip, 'UTF8')) || portal_digest_field(convert_to(p_ua, 'UTF8'))
        || portal_digest_field(convert_to(p_outcome, 'UTF8'))
        || CASE WHEN p_restricted THEN '\x01'::bytea ELSE '\x00'::bytea END
        || CASE WHEN coalesce(p_request_id, '') <> '' THEN '\x72'::bytea || portal_digest_field(convert_to(p_request_id, 'UTF8'))
                ELSE ''::bytea END)
$$;
-- +goose StatementEnd

-- portal_log_record_read logs a successful read of one record (view,
-- download) whose subject and restriction it reads itself, under the
-- caller's row-level security: a record the caller cannot see is not
-- logged as read (NULL; the caller logs the denial).
-- +goose StatementBegin
CREATE FUNCTION portal_log_record_read(
    p_chain smallint, p_at timestamptz, p_staff uuid, p_role text, p_action text, p_purpose text,
    p_record uuid, p_ip text, p_ua text, p_request_id text
) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    r record;
BEGIN
    SELECT subject_id, restricted INTO r FROM records WHERE id = p_record AND purpose = p_purpose;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    PERFORM set_config('portal.request_id', coalesce(p_request_id, ''), true);
    RETURN portal_log_access(p_chain, p_at, p_staff, p_role, p_action, p_purpose, p_record, r.subject_id,
        p_ip, p_ua, 'ok', r.restricted,
        portal_access_digest(p_chain, p_at, p_staff, p_role, p_action, p_purpose, p_record, r.subject_id,
            p_ip, p_ua, 'ok', r.restricted, p_request_id),
        NULL);
END
$$;
-- +goose StatementEnd
