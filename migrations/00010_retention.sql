-- +goose Up
-- Retention enforced by the software (art. 5(1)(e)): the sweep computes each
-- record's end from the registry's rule at every run, from these anchors.
CREATE INDEX records_purpose_last_contact ON records (purpose, last_contact_at);
-- A deleted record's consents are found by its id.
CREATE INDEX consents_record ON consents (record_id);

-- Legal holds: the DPO keeps a record, or everything of one person, past its
-- period (a dispute, a claim) with a reason and an end date. Ids only.
CREATE TABLE legal_holds (
    id         uuid PRIMARY KEY,
    record_id  uuid,
    subject_id uuid,
    reason     text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    ends_at    timestamptz NOT NULL,
    placed_by  uuid NOT NULL,
    placed_at  timestamptz NOT NULL DEFAULT now(),
    lifted_by  uuid,
    lifted_at  timestamptz,
    CHECK ((record_id IS NULL) <> (subject_id IS NULL))
);
CREATE INDEX legal_holds_record ON legal_holds (record_id) WHERE lifted_at IS NULL;
CREATE INDEX legal_holds_subject ON legal_holds (subject_id) WHERE lifted_at IS NULL;
GRANT SELECT, INSERT ON legal_holds TO portal_app;
GRANT UPDATE (lifted_by, lifted_at) ON legal_holds TO portal_app;

-- The end of an event a purpose counts from (the AI challenge), set by staff;
-- without a row the registry's date, else the last contact, applies.
CREATE TABLE purpose_event_ends (
    purpose text PRIMARY KEY,
    ends_at timestamptz NOT NULL,
    set_by  uuid NOT NULL,
    set_at  timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT, INSERT, UPDATE ON purpose_event_ends TO portal_app;

-- Evidence of each sweep: counts per kind of data, start, end, errors, no
-- personal data; append-only and hash-chained (each row carries the hash of
-- the previous one), verified by `portal retention verify`.
CREATE TABLE retention_runs (
    id         bigserial PRIMARY KEY,
    started_at timestamptz NOT NULL,
    ended_at   timestamptz NOT NULL,
    as_of      timestamptz NOT NULL,
    trigger    text NOT NULL, -- job, cli
    counts     jsonb NOT NULL,
    errors     text[] NOT NULL DEFAULT '{}',
    prev_hash  bytea NOT NULL,
    hash       bytea NOT NULL
);
GRANT SELECT, INSERT ON retention_runs TO portal_app;
GRANT USAGE ON SEQUENCE retention_runs_id_seq TO portal_app;

-- Every id deleted by retention or erasure, as a keyed hash (HMAC with a
-- server secret) and nothing else: after a restore from backup, `portal
-- retention replay` deletes again what a backup brought back (art. 17).
CREATE TABLE erasure_log (
    id      bigserial PRIMARY KEY,
    at      timestamptz NOT NULL DEFAULT now(),
    kind    text NOT NULL, -- record, rights_request, suppression
    id_hash bytea NOT NULL
);
CREATE INDEX erasure_log_at ON erasure_log (at);
GRANT SELECT, INSERT ON erasure_log TO portal_app;
GRANT USAGE ON SEQUENCE erasure_log_id_seq TO portal_app;

-- Anonymisation keeps only counts per purpose, month and status.
CREATE TABLE retention_stats (
    purpose text NOT NULL,
    month   date NOT NULL,
    status  text NOT NULL,
    count   bigint NOT NULL,
    PRIMARY KEY (purpose, month, status)
);
GRANT SELECT, INSERT, UPDATE ON retention_stats TO portal_app;

-- The consents ledger and the suppressions stay append-only for the
-- application: retention may only call these, which delete the consents of
-- records already deleted, and objections older than the period given.
-- +goose StatementBegin
CREATE FUNCTION portal_retention_drop_consents(ids uuid[]) RETURNS bigint
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    WITH d AS (DELETE FROM consents c WHERE c.record_id = ANY (ids)
        AND NOT EXISTS (SELECT 1 FROM records r WHERE r.id = c.record_id) RETURNING 1)
    SELECT count(*) FROM d
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION portal_retention_drop_consents(uuid[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_retention_drop_consents(uuid[]) TO portal_app;

-- +goose StatementBegin
CREATE FUNCTION portal_retention_drop_suppressions(keep interval, as_of timestamptz, lim int)
    RETURNS TABLE (id bigint)
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    DELETE FROM suppressions WHERE suppressions.id IN (
        SELECT s.id FROM suppressions s WHERE s.created_at + keep <= as_of
        ORDER BY s.id LIMIT lim FOR UPDATE SKIP LOCKED)
    RETURNING suppressions.id
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION portal_retention_drop_suppressions(interval, timestamptz, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_retention_drop_suppressions(interval, timestamptz, int) TO portal_app;

-- Replay after a restore: the objections a sweep already deleted, by id.
-- +goose StatementBegin
CREATE FUNCTION portal_retention_drop_suppression_ids(ids bigint[]) RETURNS bigint
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    WITH d AS (DELETE FROM suppressions WHERE id = ANY (ids) RETURNING 1)
    SELECT count(*) FROM d
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION portal_retention_drop_suppression_ids(bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_retention_drop_suppression_ids(bigint[]) TO portal_app;

-- +goose Down
DROP FUNCTION portal_retention_drop_suppression_ids(bigint[]);
DROP FUNCTION portal_retention_drop_suppressions(interval, timestamptz, int);
DROP FUNCTION portal_retention_drop_consents(uuid[]);
DROP TABLE retention_stats;
DROP TABLE erasure_log;
DROP TABLE retention_runs;
DROP TABLE purpose_event_ends;
DROP TABLE legal_holds;
DROP INDEX consents_record;
DROP INDEX records_purpose_last_contact;
