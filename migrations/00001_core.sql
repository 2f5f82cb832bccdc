-- +goose Up
-- The core data model. The application connects as portal_app, which owns
-- nothing: it gets only the grants below, so it cannot run DDL, cannot bypass
-- row-level security, and cannot rewrite the append-only ledgers.
-- Number ranges keep parallel work apart: 00001-00009 core, 00010+ consent,
-- 00020+ forms, 00030+ back-office.

GRANT SELECT ON goose_db_version TO portal_app; -- /readyz compares schema versions

-- portal_purposes() is the request's purpose scope, set per transaction with
-- set_config('portal.purposes', 'a,b', true). Unset or empty means no purpose:
-- deny by default.
-- +goose StatementBegin
CREATE FUNCTION portal_purposes() RETURNS text[] LANGUAGE sql STABLE AS $$
  SELECT string_to_array(nullif(current_setting('portal.purposes', true), ''), ',')
$$;
-- +goose StatementEnd

-- Restricted records (GDPR art. 18) are visible only where the transaction says
-- so (the DPO's scope).
-- +goose StatementBegin
CREATE FUNCTION portal_sees_restricted() RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT coalesce(current_setting('portal.restricted', true), '') = 'on'
$$;
-- +goose StatementEnd

-- One person across purposes, known only by keyed hashes (blind indexes) of
-- their normalised email and phone: no plain identifier is stored twice.
CREATE TABLE subjects (
    id          uuid PRIMARY KEY,
    email_index bytea UNIQUE,
    phone_index bytea,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX subjects_phone_index ON subjects (phone_index);

-- One submission of a form. fields holds the encrypted JSON of what was typed.
CREATE TABLE records (
    id              uuid PRIMARY KEY,
    purpose         text NOT NULL,
    subject_id      uuid REFERENCES subjects (id) ON DELETE SET NULL,
    status          text NOT NULL,
    fields          bytea NOT NULL,
    note            bytea,
    restricted      boolean NOT NULL DEFAULT false,
    objected        boolean NOT NULL DEFAULT false, -- the subject objected to prospecting
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_contact_at timestamptz NOT NULL DEFAULT now(),
    expires_at      timestamptz NOT NULL
);
CREATE INDEX records_purpose_created ON records (purpose, created_at DESC, id DESC);
CREATE INDEX records_subject ON records (subject_id);
CREATE INDEX records_expires ON records (expires_at);

ALTER TABLE records ENABLE ROW LEVEL SECURITY;
ALTER TABLE records FORCE ROW LEVEL SECURITY;
CREATE POLICY records_by_purpose ON records
    USING (purpose = ANY (portal_purposes()) AND (NOT restricted OR portal_sees_restricted()))
    WITH CHECK (purpose = ANY (portal_purposes()));

-- CVs and identity documents: encrypted bytes, MIME type sniffed from content.
-- purpose is copied from the record so row-level security needs no join.
CREATE TABLE attachments (
    id         uuid PRIMARY KEY,
    record_id  uuid NOT NULL REFERENCES records (id) ON DELETE CASCADE,
    purpose    text NOT NULL,
    filename   bytea NOT NULL, -- encrypted
    mime       text NOT NULL,
    size       bigint NOT NULL CHECK (size >= 0),
    sha256     bytea NOT NULL, -- of the encrypted content, for integrity checks
    content    bytea NOT NULL, -- encrypted
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attachments_record ON attachments (record_id);
ALTER TABLE attachments ENABLE ROW LEVEL SECURITY;
ALTER TABLE attachments FORCE ROW LEVEL SECURITY;
CREATE POLICY attachments_by_purpose ON attachments
    USING (purpose = ANY (portal_purposes()))
    WITH CHECK (purpose = ANY (portal_purposes()));

-- Append-only ledger of every consent box shown, ticked or not (art. 7(1):
-- the controller must be able to demonstrate consent).
CREATE TABLE consents (
    id             bigserial PRIMARY KEY,
    subject_id     uuid REFERENCES subjects (id) ON DELETE CASCADE,
    record_id      uuid,
    purpose        text NOT NULL,
    kind           text NOT NULL,
    granted        boolean NOT NULL,
    source         text NOT NULL, -- form, withdrawal, rights_request
    policy_version text NOT NULL,
    wording_hash   bytea NOT NULL, -- sha256 of the exact label shown
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX consents_subject_kind ON consents (subject_id, kind, created_at DESC);

GRANT SELECT, INSERT, UPDATE, DELETE ON subjects, records TO portal_app;
GRANT SELECT, INSERT, DELETE ON attachments TO portal_app;
GRANT SELECT, INSERT ON consents TO portal_app;
GRANT USAGE ON SEQUENCE consents_id_seq TO portal_app;

-- +goose Down
DROP TABLE consents;
DROP TABLE attachments;
DROP TABLE records;
DROP TABLE subjects;
DROP FUNCTION portal_sees_restricted();
DROP FUNCTION portal_purposes();
