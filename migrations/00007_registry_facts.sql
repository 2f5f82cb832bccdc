-- +goose Up
-- A rights request carries the key of the registry's purpose of kind
-- rights_request, and row-level security admits it by that key as it does
-- records: no policy names a purpose key.
ALTER TABLE rights_requests ADD COLUMN purpose text;
UPDATE rights_requests SET purpose = 'rights'; -- the key every earlier request was filed under
ALTER TABLE rights_requests ALTER COLUMN purpose SET NOT NULL;
DROP POLICY rights_requests_scope ON rights_requests;
CREATE POLICY rights_requests_scope ON rights_requests
    USING (purpose = ANY (portal_purposes()))
    WITH CHECK (purpose = ANY (portal_purposes()));

-- The proof of a cookie choice is connection data, kept for the period the
-- registry's connection_data declares. The ledger stays append-only for the
-- application: it may only call this, which deletes nothing younger than the
-- period it is given.
CREATE FUNCTION portal_prune_cookie_proofs(keep interval) RETURNS bigint
    LANGUAGE sql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
    WITH d AS (DELETE FROM cookie_consents WHERE created_at + keep <= now() RETURNING 1)
    SELECT count(*) FROM d
$$;
REVOKE ALL ON FUNCTION portal_prune_cookie_proofs(interval) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION portal_prune_cookie_proofs(interval) TO portal_app;

-- +goose Down
DROP FUNCTION portal_prune_cookie_proofs(interval);
DROP POLICY rights_requests_scope ON rights_requests;
CREATE POLICY rights_requests_scope ON rights_requests
    USING ('rights' = ANY (portal_purposes()))
    WITH CHECK ('rights' = ANY (portal_purposes()));
ALTER TABLE rights_requests DROP COLUMN purpose;
