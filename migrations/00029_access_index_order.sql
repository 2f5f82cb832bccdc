-- +goose NO TRANSACTION
-- +goose Up
-- The indexes every back-office read writes (its access event: no log, no
-- data) end in the event's id ascending instead of descending. Descending,
-- each new event, the highest id of its chain, member, subject, purpose or
-- role, went in at the left end of that key's range, in the middle of a
-- page, and every such page split in half and stayed half full (54-70 MB
-- per index on a million events, 21 MB for the primary key). Ascending, it
-- goes in at the right end, where PostgreSQL splits a full page to leave it
-- full (nbtree's split after the new item), so there are fewer pages to
-- split, to write to the WAL and to keep in memory. A backward scan serves
-- the same ORDER BY id DESC under x = $1; the DPO's first page of one
-- member (a range on staff_id) orders by staff_id DESC, id DESC
-- (models.AccessFilter). The indexes of rare actions and staff changes
-- (access_events_action, access_events_target_staff) are left as they are:
-- a view never writes them.
--
-- A deployed log may be large and is written by every read: each index is
-- built without blocking writes (CONCURRENTLY, so outside a transaction)
-- under a new name, then the old one is dropped the same way and the new
-- one takes its name. A run cut short is simply run again: every step
-- either redoes or skips what an earlier run did.
DROP INDEX CONCURRENTLY IF EXISTS access_events_chain_up;
CREATE INDEX CONCURRENTLY access_events_chain_up ON access_events (chain, id);
DROP INDEX CONCURRENTLY IF EXISTS access_events_chain;
ALTER INDEX access_events_chain_up RENAME TO access_events_chain;

DROP INDEX CONCURRENTLY IF EXISTS access_events_staff_up;
CREATE INDEX CONCURRENTLY access_events_staff_up ON access_events (staff_id, id);
DROP INDEX CONCURRENTLY IF EXISTS access_events_staff;
ALTER INDEX access_events_staff_up RENAME TO access_events_staff;

DROP INDEX CONCURRENTLY IF EXISTS access_events_subject_up;
CREATE INDEX CONCURRENTLY access_events_subject_up ON access_events (subject_id, id) WHERE subject_id IS NOT NULL;
DROP INDEX CONCURRENTLY IF EXISTS access_events_subject;
ALTER INDEX access_events_subject_up RENAME TO access_events_subject;

DROP INDEX CONCURRENTLY IF EXISTS access_events_purpose_up;
CREATE INDEX CONCURRENTLY access_events_purpose_up ON access_events (purpose, id);
DROP INDEX CONCURRENTLY IF EXISTS access_events_purpose;
ALTER INDEX access_events_purpose_up RENAME TO access_events_purpose;

DROP INDEX CONCURRENTLY IF EXISTS access_events_role_up;
CREATE INDEX CONCURRENTLY access_events_role_up ON access_events (role, id);
DROP INDEX CONCURRENTLY IF EXISTS access_events_role;
ALTER INDEX access_events_role_up RENAME TO access_events_role;

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS access_events_chain_down;
CREATE INDEX CONCURRENTLY access_events_chain_down ON access_events (chain, id DESC);
DROP INDEX CONCURRENTLY IF EXISTS access_events_chain;
ALTER INDEX access_events_chain_down RENAME TO access_events_chain;

DROP INDEX CONCURRENTLY IF EXISTS access_events_staff_down;
CREATE INDEX CONCURRENTLY access_events_staff_down ON access_events (staff_id, id DESC);
DROP INDEX CONCURRENTLY IF EXISTS access_events_staff;
ALTER INDEX access_events_staff_down RENAME TO access_events_staff;

DROP INDEX CONCURRENTLY IF EXISTS access_events_subject_down;
CREATE INDEX CONCURRENTLY access_events_subject_down ON access_events (subject_id, id DESC) WHERE subject_id IS NOT NULL;
DROP INDEX CONCURRENTLY IF EXISTS access_events_subject;
ALTER INDEX access_events_subject_down RENAME TO access_events_subject;

DROP INDEX CONCURRENTLY IF EXISTS access_events_purpose_down;
CREATE INDEX CONCURRENTLY access_events_purpose_down ON access_events (purpose, id DESC);
DROP INDEX CONCURRENTLY IF EXISTS access_events_purpose;
ALTER INDEX access_events_purpose_down RENAME TO access_events_purpose;

DROP INDEX CONCURRENTLY IF EXISTS access_events_role_down;
CREATE INDEX CONCURRENTLY access_events_role_down ON access_events (role, id DESC);
DROP INDEX CONCURRENTLY IF EXISTS access_events_role;
ALTER INDEX access_events_role_down RENAME TO access_events_role;
