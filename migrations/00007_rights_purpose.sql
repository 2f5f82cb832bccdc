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

-- +goose Down
DROP POLICY rights_requests_scope ON rights_requests;
CREATE POLICY rights_requests_scope ON rights_requests
    USING ('rights' = ANY (portal_purposes()))
    WITH CHECK ('rights' = ANY (portal_purposes()));
ALTER TABLE rights_requests DROP COLUMN purpose;
