-- +goose Up
-- The record view in one round trip: its access event is written by the
-- statement after the read, in the same transaction (no log, no data), and
-- the staff member's session is verified in that transaction too.

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

-- portal_session_check verifies, inside the transaction that reads the
-- data, that the session is still live for this active account and role
-- (idle and absolute deadlines, deactivation, logout, a role change), and
-- slides its idle deadline at most once a minute. A session that no longer
-- holds aborts the transaction (SQLSTATE PS401): nothing read is shown.
-- +goose StatementBegin
CREATE FUNCTION portal_session_check(
    p_hash bytea, p_staff uuid, p_role text, p_now timestamptz, p_idle_after timestamptz
) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM sessions s JOIN staff st ON st.id = s.staff_id
        WHERE s.id_hash = p_hash AND st.id = p_staff AND st.role = p_role AND st.active
          AND NOT st.must_change_password AND s.last_seen_at > p_idle_after AND s.expires_at > p_now;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'portal: session ended' USING ERRCODE = 'PS401';
    END IF;
    UPDATE sessions SET last_seen_at = p_now
        WHERE id_hash = p_hash AND last_seen_at < p_now - interval '1 minute';
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION portal_session_check(bytea, uuid, text, timestamptz, timestamptz);
DROP FUNCTION portal_log_record_read(smallint, timestamptz, uuid, text, text, text, uuid, text, text, text);
DROP FUNCTION portal_access_digest(smallint, timestamptz, uuid, text, text, text, uuid, uuid, text, text, text, boolean, text);
DROP FUNCTION portal_digest_field(bytea);
