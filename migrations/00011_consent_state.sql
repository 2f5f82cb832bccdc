-- +goose Up
-- Consents that live: the current state of every consent box, derived from
-- the append-only ledger; objections per channel; the proof of every
-- marketing list that left the building.

-- consent_state is the latest row of the consents ledger per subject,
-- purpose and kind (art. 7(3): a withdrawal takes effect at once). It is
-- kept by triggers on the ledger, never written by the application (no
-- grant), so it cannot disagree with the ledger: every audience and every
-- preferences page reads it through models/consentstate.go.
CREATE TABLE consent_state (
    subject_id uuid NOT NULL REFERENCES subjects (id) ON DELETE CASCADE,
    purpose    text NOT NULL,
    kind       text NOT NULL,
    granted    boolean NOT NULL,
    consent_id bigint NOT NULL, -- the ledger row it comes from
    source     text NOT NULL,
    at         timestamptz NOT NULL,
    PRIMARY KEY (subject_id, purpose, kind)
);
-- Audiences: who currently agrees to one box of one purpose.
CREATE INDEX consent_state_granted ON consent_state (purpose, kind, subject_id) INCLUDE (source) WHERE granted;
GRANT SELECT ON consent_state TO portal_app;

-- The ledger's own order: latest first per subject, purpose and kind.
CREATE INDEX consents_subject_purpose_kind ON consents (subject_id, purpose, kind, created_at DESC, id DESC);

-- +goose StatementBegin
CREATE FUNCTION portal_consent_state_insert() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public AS $$
BEGIN
    IF NEW.subject_id IS NULL THEN
        RETURN NULL;
    END IF;
    INSERT INTO consent_state AS cs (subject_id, purpose, kind, granted, consent_id, source, at)
    VALUES (NEW.subject_id, NEW.purpose, NEW.kind, NEW.granted, NEW.id, NEW.source, NEW.created_at)
    ON CONFLICT (subject_id, purpose, kind) DO UPDATE
        SET granted = excluded.granted, consent_id = excluded.consent_id, source = excluded.source, at = excluded.at
        WHERE (cs.at, cs.consent_id) < (excluded.at, excluded.consent_id);
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- A ledger row deleted (retention) or unlinked (erasure) no longer counts:
-- the state falls back to the latest row that remains, or disappears.
-- +goose StatementBegin
CREATE FUNCTION portal_consent_state_forget() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public AS $$
DECLARE
    latest consents%ROWTYPE;
BEGIN
    IF OLD.subject_id IS NULL OR (TG_OP = 'UPDATE' AND NEW.subject_id IS NOT DISTINCT FROM OLD.subject_id) THEN
        RETURN NULL;
    END IF;
    SELECT * INTO latest FROM consents
     WHERE subject_id = OLD.subject_id AND purpose = OLD.purpose AND kind = OLD.kind
     ORDER BY created_at DESC, id DESC LIMIT 1;
    IF NOT FOUND THEN
        DELETE FROM consent_state WHERE subject_id = OLD.subject_id AND purpose = OLD.purpose AND kind = OLD.kind;
    ELSE
        UPDATE consent_state SET granted = latest.granted, consent_id = latest.id, source = latest.source, at = latest.created_at
         WHERE subject_id = OLD.subject_id AND purpose = OLD.purpose AND kind = OLD.kind;
    END IF;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER consents_state_insert AFTER INSERT ON consents
    FOR EACH ROW EXECUTE FUNCTION portal_consent_state_insert();
CREATE TRIGGER consents_state_forget AFTER DELETE OR UPDATE OF subject_id ON consents
    FOR EACH ROW EXECUTE FUNCTION portal_consent_state_forget();

-- What is already in the ledger.
INSERT INTO consent_state (subject_id, purpose, kind, granted, consent_id, source, at)
SELECT DISTINCT ON (subject_id, purpose, kind) subject_id, purpose, kind, granted, id, source, created_at
  FROM consents WHERE subject_id IS NOT NULL
 ORDER BY subject_id, purpose, kind, created_at DESC, id DESC;

-- An objection names a channel (email, sms, whatsapp, automated_calls,
-- partner_transfer) or all prospecting (art. 21(2)-(3)); an opt-out given
-- during an automated call is one channel (CNIL). Rows written before this
-- migration were objections to all prospecting.
ALTER TABLE suppressions ADD COLUMN channel text NOT NULL DEFAULT 'all';
DROP INDEX suppressions_email;
DROP INDEX suppressions_phone;
CREATE INDEX suppressions_email ON suppressions (email_index, channel);
CREATE INDEX suppressions_phone ON suppressions (phone_index, channel);

-- Every audience and partner export that left the back-office: who, when,
-- what criteria, how many people, and to whom (partner transfers). Written in
-- the transaction of the export, after its access_events row; append-only.
CREATE TABLE marketing_exports (
    id         bigserial PRIMARY KEY,
    at         timestamptz NOT NULL,
    staff_id   uuid NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('audience', 'partner_transfer')),
    purpose    text NOT NULL,
    criteria   text NOT NULL,
    recipient  text,
    row_count  bigint NOT NULL
);
CREATE INDEX marketing_exports_at ON marketing_exports (at DESC);
GRANT SELECT, INSERT ON marketing_exports TO portal_app;
GRANT USAGE ON SEQUENCE marketing_exports_id_seq TO portal_app;

-- +goose Down
DROP TABLE marketing_exports;
DROP INDEX suppressions_email;
DROP INDEX suppressions_phone;
ALTER TABLE suppressions DROP COLUMN channel;
CREATE INDEX suppressions_email ON suppressions (email_index);
CREATE INDEX suppressions_phone ON suppressions (phone_index);
DROP TRIGGER consents_state_forget ON consents;
DROP TRIGGER consents_state_insert ON consents;
DROP FUNCTION portal_consent_state_forget();
DROP FUNCTION portal_consent_state_insert();
DROP INDEX consents_subject_purpose_kind;
DROP TABLE consent_state;
