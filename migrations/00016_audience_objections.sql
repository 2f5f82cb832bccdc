-- +goose Up
-- Audiences read one table. An objection is kept by blind indexes (so it
-- survives erasure), and finding the objectors of an audience meant joining
-- the objection list to every subject; instead each consent_state row
-- carries the channels its subject is on the objection list for ('all': an
-- objection to all prospecting, art. 21(2)-(3)). Triggers keep the copy
-- true: when a state row appears (a first sign-up, or a later one of a
-- person who objected before), when an objection is added or dropped, and
-- when a subject gains an email or a phone. The application never writes
-- it (consent_state has no write grant).
ALTER TABLE consent_state ADD COLUMN suppressed text[] NOT NULL DEFAULT '{}';

-- The channels subject is on the objection list for, through either of its
-- blind indexes.
-- +goose StatementBegin
CREATE FUNCTION portal_subject_suppressed(subject uuid) RETURNS text[] LANGUAGE sql STABLE
SET search_path = public AS $$
    SELECT coalesce(array_agg(DISTINCT x.channel ORDER BY x.channel), '{}')
      FROM subjects s, LATERAL (
            SELECT channel FROM suppressions WHERE email_index = s.email_index
            UNION ALL
            SELECT channel FROM suppressions WHERE phone_index = s.phone_index) x
     WHERE s.id = subject
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION portal_subject_suppressed(uuid) FROM PUBLIC;

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

-- The subjects an objection names (new or dropped rows of the list, as a
-- transition table), their state rows recomputed from the list as it now is.
-- +goose StatementBegin
CREATE FUNCTION portal_suppressions_changed() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public AS $$
BEGIN
    UPDATE consent_state cs SET suppressed = portal_subject_suppressed(cs.subject_id)
     WHERE cs.subject_id IN (
            SELECT s.id FROM changed c JOIN subjects s ON s.email_index = c.email_index
            UNION
            SELECT s.id FROM changed c JOIN subjects s ON s.phone_index = c.phone_index);
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER suppressions_added AFTER INSERT ON suppressions
    REFERENCING NEW TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION portal_suppressions_changed();
CREATE TRIGGER suppressions_dropped AFTER DELETE ON suppressions
    REFERENCING OLD TABLE AS changed FOR EACH STATEMENT EXECUTE FUNCTION portal_suppressions_changed();

-- A person known by email who later gives a phone that objected (or the
-- reverse) is suppressed from then on.
-- +goose StatementBegin
CREATE FUNCTION portal_subject_identifiers_changed() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public AS $$
BEGIN
    UPDATE consent_state SET suppressed = portal_subject_suppressed(NEW.id) WHERE subject_id = NEW.id;
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER subjects_identifiers_changed AFTER UPDATE OF email_index, phone_index ON subjects
    FOR EACH ROW WHEN (OLD.email_index IS DISTINCT FROM NEW.email_index OR OLD.phone_index IS DISTINCT FROM NEW.phone_index)
    EXECUTE FUNCTION portal_subject_identifiers_changed();

-- What the list already holds.
UPDATE consent_state cs SET suppressed = portal_subject_suppressed(cs.subject_id)
 WHERE cs.subject_id IN (
        SELECT s.id FROM suppressions x JOIN subjects s ON s.email_index = x.email_index
        UNION
        SELECT s.id FROM suppressions x JOIN subjects s ON s.phone_index = x.phone_index);

-- An audience is one range of this index, read without the table: who
-- currently agrees to one box of one purpose, with what the count filters on.
DROP INDEX consent_state_granted;
CREATE INDEX consent_state_audience ON consent_state (purpose, kind, subject_id) INCLUDE (source, suppressed) WHERE granted;

-- +goose Down
DROP INDEX consent_state_audience;
CREATE INDEX consent_state_granted ON consent_state (purpose, kind, subject_id) INCLUDE (source) WHERE granted;
DROP TRIGGER subjects_identifiers_changed ON subjects;
DROP FUNCTION portal_subject_identifiers_changed();
DROP TRIGGER suppressions_dropped ON suppressions;
DROP TRIGGER suppressions_added ON suppressions;
DROP FUNCTION portal_suppressions_changed();
DROP TRIGGER consent_state_suppressed ON consent_state;
DROP FUNCTION portal_consent_state_suppressed();
DROP FUNCTION portal_subject_suppressed(uuid);
ALTER TABLE consent_state DROP COLUMN suppressed;
