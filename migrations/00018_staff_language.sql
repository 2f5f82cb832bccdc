-- +goose Up
-- The language each staff member reads the back-office in (fr or en). NULL
-- until the first sign-in, which takes it from the browser's
-- Accept-Language; the member changes it from any back-office page.
ALTER TABLE staff ADD COLUMN lang text CHECK (lang IN ('fr', 'en'));

-- +goose Down
ALTER TABLE staff DROP COLUMN lang;
