-- +goose Up
-- Proof of every cookie-banner choice (GDPR art. 7(1): the controller must be
-- able to demonstrate consent; CNIL cookie guidelines, 2020, art. 2). Append-
-- only for the application: it may add rows and read them (statistics, proof
-- lookups), never change or remove one.
CREATE TABLE cookie_consents (
    id             bigserial PRIMARY KEY,
    consent_id     uuid NOT NULL,          -- the id carried by the visitor's consent cookie
    categories     text[] NOT NULL,        -- optional categories granted; empty = refused
    action         text NOT NULL CHECK (action IN ('accept_all', 'reject_all', 'custom', 'withdraw', 'gpc')),
    policy_version text NOT NULL,
    -- Never the full address (data minimisation, art. 5(1)(c)): a /24 or /48 network.
    ip_prefix      cidr CHECK (ip_prefix IS NULL OR masklen(ip_prefix) <= CASE family(ip_prefix) WHEN 4 THEN 24 ELSE 48 END),
    ua_hash        bytea,                  -- sha256 of the User-Agent
    created_at     timestamptz NOT NULL
);
-- The proof of one visitor's choices, by the id in their cookie.
CREATE INDEX cookie_consents_consent ON cookie_consents (consent_id, created_at);
-- Statistics by day: rows arrive in time order, so a BRIN index is tiny and
-- costs next to nothing per insert.
CREATE INDEX cookie_consents_created ON cookie_consents USING brin (created_at);

GRANT SELECT, INSERT ON cookie_consents TO portal_app;
GRANT USAGE ON SEQUENCE cookie_consents_id_seq TO portal_app;

-- +goose Down
DROP TABLE cookie_consents;
