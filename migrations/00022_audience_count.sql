-- +goose Up
-- Counting an audience (the number the audiences page shows before any
-- export) read every entry of its range of consent_state_audience: wide
-- entries (subject, source, objections), so about 19,000 pages for 110,000
-- people among 1,000,000. The people on no objection list at all are most
-- of every audience, and their count needs no subject: this index keeps
-- them by box and source only, which B-tree deduplication packs into a
-- few dozen pages. The few who objected to something are counted from
-- their own index, channel by channel (models.audienceCountSQL adds both).
CREATE INDEX consent_state_count_clear ON consent_state (purpose, kind, source)
    WHERE granted AND suppressed = '{}';
CREATE INDEX consent_state_count_objecting ON consent_state (purpose, kind, subject_id) INCLUDE (source, suppressed)
    WHERE granted AND suppressed <> '{}';

-- Which boxes are granted depends on the box: the planner, taking kind and
-- granted as independent, guessed five times the real audience, and the
-- export planned for half a million rows.
CREATE STATISTICS consent_state_box (mcv) ON purpose, kind, granted FROM consent_state;
ANALYZE consent_state;

-- Every read of consent_state is one person's rows or one audience's range:
-- about 20 ms of work for 100,000 people, which two parallel workers on a
-- two-core server made 35 ms (starting them, then waiting for the slower).
ALTER TABLE consent_state SET (parallel_workers = 0);

-- +goose Down
ALTER TABLE consent_state RESET (parallel_workers);
DROP STATISTICS consent_state_box;
DROP INDEX consent_state_count_objecting;
DROP INDEX consent_state_count_clear;
