-- +goose Up
-- The consent state (the latest ledger row per subject, purpose and kind,
-- art. 7(3)) is brought up to date once per statement instead of once per
-- ledger row. A public form stores a batch of submissions, each with one
-- ledger row per consent box, in one statement; the row triggers ran, per
-- row, an upsert and then a second trigger computing the subject's
-- objections (under make bench, more than half of the statement's time).
-- Same rules, set-based: of the rows the statement added, the latest per
-- subject, purpose and kind replaces the state if it is later; a new state
-- row carries the channels its subject objected to, computed as
-- portal_subject_suppressed computes them (an existing row keeps its own,
-- which the objection triggers of migration 00016 keep true).
-- Deletions and unlinking (retention, erasure) keep their row trigger:
-- they are rare and each needs the latest remaining row.
-- +goose StatementBegin
CREATE FUNCTION portal_consent_state_added() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public AS $$
BEGIN
    WITH latest AS (
        SELECT DISTINCT ON (subject_id, purpose, kind) subject_id, purpose, kind, granted, id, source, created_at
          FROM added WHERE subject_id IS NOT NULL
         ORDER BY subject_id, purpose, kind, created_at DESC, id DESC
    ), objected AS (
        SELECT x.subject_id, array_agg(DISTINCT x.channel ORDER BY x.channel) AS channels
          FROM (SELECT s.id AS subject_id, o.channel FROM subjects s JOIN suppressions o ON o.email_index = s.email_index
                 WHERE s.id IN (SELECT subject_id FROM latest)
                UNION ALL
                SELECT s.id, o.channel FROM subjects s JOIN suppressions o ON o.phone_index = s.phone_index
                 WHERE s.id IN (SELECT subject_id FROM latest)) x
         GROUP BY x.subject_id
    )
    INSERT INTO consent_state AS cs (subject_id, purpose, kind, granted, consent_id, source, at, suppressed)
    SELECT l.subject_id, l.purpose, l.kind, l.granted, l.id, l.source, l.created_at, coalesce(o.channels, '{}')
      FROM latest l LEFT JOIN objected o ON o.subject_id = l.subject_id
    ON CONFLICT (subject_id, purpose, kind) DO UPDATE
        SET granted = excluded.granted, consent_id = excluded.consent_id, source = excluded.source, at = excluded.at
        WHERE (cs.at, cs.consent_id) < (excluded.at, excluded.consent_id);
    RETURN NULL;
END
$$;
-- +goose StatementEnd
DROP TRIGGER consents_state_insert ON consents;
DROP FUNCTION portal_consent_state_insert();
CREATE TRIGGER consents_state_added AFTER INSERT ON consents
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION portal_consent_state_added();
-- Only the trigger above inserts state rows now, with their objections.
DROP TRIGGER consent_state_suppressed ON consent_state;
DROP FUNCTION portal_consent_state_suppressed();

-- +goose Down
-- +goose StatementBegin
CREATE FUNCTION portal_consent_state_suppressed() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public AS $$
BEGIN
    NEW.suppressed := portal_subject_suppressed(NEW.subject_id);
    RETURN NEW;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER consent_state_suppressed BEFORE INSERT ON consent_state
    FOR EACH ROW EXECUTE FUNCTION portal_consent_state_suppressed();
DROP TRIGGER consents_state_added ON consents;
DROP FUNCTION portal_consent_state_added();
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
CREATE TRIGGER consents_state_insert AFTER INSERT ON consents
    FOR EACH ROW EXECUTE FUNCTION portal_consent_state_insert();
