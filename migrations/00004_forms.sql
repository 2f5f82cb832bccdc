-- +goose Up
-- Public forms: the objection list, the email outbox, rights requests and
-- their timeline. Personal data is encrypted by the application (vault);
-- only blind indexes, dates and statuses are in clear.

-- The objection list (art. 21(2)-(3), CNIL rules on prospecting): a person
-- on it can still write to us, but their records are flagged so that no
-- prospecting reaches them. Known only by blind indexes.
CREATE TABLE suppressions (
    id          bigserial PRIMARY KEY,
    email_index bytea,
    phone_index bytea,
    source      text NOT NULL, -- rights_request, unsubscribe, call, staff
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK (email_index IS NOT NULL OR phone_index IS NOT NULL)
);
CREATE INDEX suppressions_email ON suppressions (email_index);
CREATE INDEX suppressions_phone ON suppressions (phone_index);
-- An objection is never undone by the application: append-only.
GRANT SELECT, INSERT ON suppressions TO portal_app;
GRANT USAGE ON SEQUENCE suppressions_id_seq TO portal_app;

-- Emails waiting to be sent, sent by a background job. message is the
-- encrypted JSON {to, subject, body}: recipients and bodies are personal data.
CREATE TABLE outbox (
    id         uuid PRIMARY KEY,
    kind       text NOT NULL, -- receipt, newsletter_confirm, rights_confirm
    message    bytea NOT NULL,
    status     text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts   int NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now(),
    send_after timestamptz NOT NULL DEFAULT now(),
    sent_at    timestamptz
);
CREATE INDEX outbox_pending ON outbox (send_after) WHERE status = 'pending';
GRANT SELECT, INSERT, UPDATE, DELETE ON outbox TO portal_app;

-- Rights requests (art. 12-22). fields is the encrypted JSON of the form
-- (email, right, details). The request counts from the moment the requester
-- confirms their address: received_at, and due_at one calendar month later
-- (art. 12(3)).
CREATE TABLE rights_requests (
    id                 uuid PRIMARY KEY,
    subject_id         uuid REFERENCES subjects (id) ON DELETE SET NULL,
    "right"            text NOT NULL,
    fields             bytea NOT NULL,
    status             text NOT NULL, -- unconfirmed, received, …
    email_confirmed_at timestamptz,
    received_at        timestamptz,
    due_at             timestamptz,
    created_at         timestamptz NOT NULL DEFAULT now(),
    CHECK ((received_at IS NULL) = (due_at IS NULL))
);
CREATE INDEX rights_requests_due ON rights_requests (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX rights_requests_unconfirmed ON rights_requests (created_at) WHERE email_confirmed_at IS NULL;
-- Only a scope that includes the rights purpose (the public intake, the
-- DPO) sees requests: deny by default, as for records.
ALTER TABLE rights_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE rights_requests FORCE ROW LEVEL SECURITY;
CREATE POLICY rights_requests_scope ON rights_requests
    USING ('rights' = ANY (portal_purposes()))
    WITH CHECK ('rights' = ANY (portal_purposes()));
GRANT SELECT, INSERT, UPDATE, DELETE ON rights_requests TO portal_app;

-- The timeline of a request: append-only, so the handling can be proven.
CREATE TABLE rights_request_events (
    id         bigserial PRIMARY KEY,
    request_id uuid NOT NULL REFERENCES rights_requests (id) ON DELETE CASCADE,
    kind       text NOT NULL, -- submitted, email_confirmed, …
    actor      text NOT NULL, -- requester, system, staff id
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX rights_request_events_request ON rights_request_events (request_id, id);
GRANT SELECT, INSERT ON rights_request_events TO portal_app;
GRANT USAGE ON SEQUENCE rights_request_events_id_seq TO portal_app;

-- Key rotation (portal keys rotate) re-encrypts attachments in place; no
-- other column of an attachment ever changes.
GRANT UPDATE (filename, content, sha256) ON attachments TO portal_app;

-- +goose Down
REVOKE UPDATE (filename, content, sha256) ON attachments FROM portal_app;
DROP TABLE rights_request_events;
DROP TABLE rights_requests;
DROP TABLE outbox;
DROP TABLE suppressions;
