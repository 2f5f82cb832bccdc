-- +goose Up
-- The back-office session check in plain SQL (models.SessionCheck): the
-- record view verifies its session and sets its row-level-security scope in
-- one statement, whose usual path reads two rows and writes nothing. The
-- PL/pgSQL check it replaces ran two statements of its own on every view,
-- its UPDATE included, even when the idle deadline needed no sliding.

-- portal_session_ended aborts the transaction that carries a session which
-- no longer holds (SQLSTATE PS401): nothing read after it is shown. Called
-- from a CASE branch only (VOLATILE: never evaluated ahead of its branch).
-- +goose StatementBegin
CREATE FUNCTION portal_session_ended() RETURNS void LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    RAISE EXCEPTION 'portal: session ended' USING ERRCODE = 'PS401';
END
$$;
-- +goose StatementEnd

-- portal_session_touch slides a live session's idle deadline; called at most
-- once a minute per session, when the check finds it stale.
-- +goose StatementBegin
CREATE FUNCTION portal_session_touch(p_hash bytea, p_now timestamptz) RETURNS void LANGUAGE sql VOLATILE AS $$
    UPDATE sessions SET last_seen_at = p_now WHERE id_hash = p_hash AND last_seen_at < p_now - interval '1 minute'
$$;
-- +goose StatementEnd

DROP FUNCTION portal_session_check(bytea, uuid, text, timestamptz, timestamptz);

-- +goose Down
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
DROP FUNCTION portal_session_touch(bytea, timestamptz);
DROP FUNCTION portal_session_ended();
