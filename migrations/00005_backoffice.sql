-- +goose Up
-- The staff back-office: accounts, server-side sessions and the access log.
-- portal_app gets exactly what the back-office needs: it may create and edit
-- staff accounts and sessions, but may only append to the access log (CNIL,
-- délibération 2021-122: the log is write-only for the application).

CREATE TABLE staff (
    id                   uuid PRIMARY KEY,
    email                text NOT NULL UNIQUE CHECK (email = lower(email)),
    name                 text NOT NULL,
    role                 text NOT NULL,
    password_hash        text NOT NULL,             -- argon2id, PHC string
    totp_secret          bytea NOT NULL,            -- vault ciphertext, bound to the row
    totp_last_step       bigint NOT NULL DEFAULT 0, -- last accepted time step: a code is never accepted twice
    must_change_password boolean NOT NULL DEFAULT true,
    active               boolean NOT NULL DEFAULT true,
    failed_logins        int NOT NULL DEFAULT 0,
    locked_until         timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);

-- Server-side sessions (gorilla/sessions store). The cookie carries a random
-- 256-bit id; only its SHA-256 is stored, so a copy of this table opens no
-- session. Deleting a staff member's rows ends their sessions at once.
CREATE TABLE sessions (
    id_hash      bytea PRIMARY KEY,
    staff_id     uuid NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    data         bytea NOT NULL, -- gob of non-personal values (auth time, flags)
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL -- absolute end: created_at + 12 hours
);
CREATE INDEX sessions_staff ON sessions (staff_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- The access log: one row per consultation, creation, change, deletion,
-- login and denial. Rows are hash-chained: hash = sha256(prev_hash || digest),
-- digest being the SHA-256 of the row's canonical content computed by the
-- application (models/accesslog.go). The log is split into a few independent
-- chains (chain 0..7) so that concurrent requests do not all queue on one
-- lock; each chain is ordered by id.
CREATE TABLE access_events (
    id         bigserial PRIMARY KEY,
    chain      smallint NOT NULL CHECK (chain >= 0),
    at         timestamptz NOT NULL,
    staff_id   uuid,
    role       text NOT NULL DEFAULT '',
    action     text NOT NULL,
    purpose    text NOT NULL DEFAULT '',
    record_id  uuid,
    subject_id uuid,
    ip         text NOT NULL DEFAULT '',
    user_agent text NOT NULL DEFAULT '',
    outcome    text NOT NULL,
    restricted boolean NOT NULL DEFAULT false, -- the record read was under restriction (art. 18)
    digest     bytea NOT NULL,
    prev_hash  bytea NOT NULL,
    hash       bytea NOT NULL
);
CREATE INDEX access_events_chain ON access_events (chain, id DESC);
CREATE INDEX access_events_at ON access_events (at);
CREATE INDEX access_events_staff ON access_events (staff_id, id DESC);
CREATE INDEX access_events_subject ON access_events (subject_id, id DESC) WHERE subject_id IS NOT NULL;
CREATE INDEX access_events_purpose ON access_events (purpose, id DESC);
CREATE INDEX access_events_action ON access_events (action, id DESC);
CREATE INDEX access_events_role ON access_events (role, id DESC);
CREATE INDEX access_events_failed_ip ON access_events (ip, at) WHERE action = 'login_failed';

-- Pruning past the retention period (one year) leaves, per chain, a checkpoint:
-- the hash of the last pruned row, signed by the application's key, from which
-- verification of the remaining rows starts.
CREATE TABLE access_checkpoints (
    id         bigserial PRIMARY KEY,
    chain      smallint NOT NULL,
    upto_id    bigint NOT NULL,
    hash       bytea NOT NULL,
    pruned     bigint NOT NULL,
    signature  bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX access_checkpoints_chain ON access_checkpoints (chain, upto_id DESC);

-- portal_log_access appends one event to a chain. The advisory lock is per
-- chain and transaction-scoped: the caller makes this the last statement of
-- its transaction, so the lock is held only for this insert and the commit
-- that follows. Within one chain, ids then grow in chain order.
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

GRANT SELECT, INSERT, UPDATE ON staff TO portal_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON sessions TO portal_app;
GRANT SELECT, INSERT ON access_events TO portal_app; -- no UPDATE, DELETE or TRUNCATE: append-only
GRANT USAGE ON SEQUENCE access_events_id_seq TO portal_app;
GRANT SELECT ON access_checkpoints TO portal_app;

-- +goose Down
DROP FUNCTION portal_log_access(smallint, timestamptz, uuid, text, text, text, uuid, uuid, text, text, text, boolean, bytea);
DROP TABLE access_checkpoints;
DROP TABLE access_events;
DROP TABLE sessions;
DROP TABLE staff;
