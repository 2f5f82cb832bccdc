-- +goose Up
-- Signed heads anchor the access log's chains. A periodic job signs each
-- chain's newest link with a key the database never sees; verification then
-- requires every signed head to be found on its chain, unchanged. Rewriting a
-- chain, even with every hash recomputed by a superuser, or cutting its tail,
-- is detected as far back as the last signed head.
CREATE TABLE access_heads (
    id         bigserial PRIMARY KEY,
    chain      smallint NOT NULL,
    upto_id    bigint NOT NULL,
    hash       bytea NOT NULL,
    signature  bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX access_heads_chain ON access_heads (chain, upto_id DESC);
GRANT SELECT, INSERT ON access_heads TO portal_app; -- append-only
GRANT USAGE ON SEQUENCE access_heads_id_seq TO portal_app;

-- +goose Down
DROP TABLE access_heads;
