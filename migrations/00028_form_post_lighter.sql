-- +goose Up
-- A public form post writes, per person, a subject, a record, its ledger rows
-- and their consent_state rows in one statement; under make bench the
-- ledger's statement trigger was close to half of that statement's time and
-- every index entry is paid on each post. Same facts kept, less work:

-- records_expires had no reader: the policy-notice query (expires_at > now)
-- keeps nearly every record, which a sequential scan or
-- records_subject_purpose serves, and retention finds what is due through
-- records_purpose_last_contact and records_purpose_created. One index entry
-- per record.
DROP INDEX records_expires;

-- Every reader of subjects_phone_index compares it with a value
-- (phone_index = …), which a NULL never equals: the people who gave no phone
-- (every contact form) need no entry.
DROP INDEX subjects_phone_index;
CREATE INDEX subjects_phone_index ON subjects (phone_index) WHERE phone_index IS NOT NULL;

-- The state's objections (consent_state.suppressed, migration 00016) are
-- looked up per new state row through the objection list's two indexes,
-- which hold no entry for nearly every subject, instead of joining the
-- statement's subjects to the list twice and grouping the result (the
-- same channels as portal_subject_suppressed). Same rules otherwise
-- (migration 00021).
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION portal_consent_state_added() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public AS $$
BEGIN
    INSERT INTO consent_state AS cs (subject_id, purpose, kind, granted, consent_id, source, at, suppressed)
    SELECT l.subject_id, l.purpose, l.kind, l.granted, l.id, l.source, l.created_at,
           coalesce((SELECT array_agg(DISTINCT o.channel ORDER BY o.channel)
                       FROM subjects s JOIN suppressions o ON o.email_index = s.email_index OR o.phone_index = s.phone_index
                      WHERE s.id = l.subject_id), '{}')
      FROM (SELECT DISTINCT ON (subject_id, purpose, kind) subject_id, purpose, kind, granted, id, source, created_at
              FROM added WHERE subject_id IS NOT NULL
             ORDER BY subject_id, purpose, kind, created_at DESC, id DESC) l
    ON CONFLICT (subject_id, purpose, kind) DO UPDATE
        SET granted = excluded.granted, consent_id = excluded.consent_id, source = excluded.source, at = excluded.at
        WHERE (cs.at, cs.consent_id) < (excluded.at, excluded.consent_id);
    RETURN NULL;
END
$$;
-- +goose StatementEnd

-- +goose Down
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION portal_consent_state_added() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
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
DROP INDEX subjects_phone_index;
CREATE INDEX subjects_phone_index ON subjects (phone_index);
CREATE INDEX records_expires ON records (expires_at);
