-- +goose Up
-- An access event names the HTTP request that caused it (X-Request-Id), so a
-- log line and an access row can be joined when an access is investigated.
-- The application sets it per transaction (set_config('portal.request_id',
-- …, true)) just before portal_log_access, whose signature stays as it is:
-- the column takes it by default. NULL for events logged outside a request.
ALTER TABLE access_events ADD COLUMN request_id text
    DEFAULT nullif(current_setting('portal.request_id', true), '')
    CHECK (length(request_id) <= 64);
CREATE INDEX access_events_request ON access_events (request_id) WHERE request_id IS NOT NULL;

-- +goose Down
DROP INDEX access_events_request;
ALTER TABLE access_events DROP COLUMN request_id;
