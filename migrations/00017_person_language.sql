-- +goose Up
-- The language a person used on the site, French or English: the emails
-- sent to them later about a record or a request (a material change of the
-- policy, the rights desk's answers, links and reminders of deadlines they
-- are owed) are written in it, and their links lead to the pages in it
-- (art. 12(1): information in clear and plain language the person reads).
ALTER TABLE records ADD COLUMN lang text NOT NULL DEFAULT 'fr' CHECK (lang IN ('fr', 'en'));
ALTER TABLE rights_requests ADD COLUMN lang text NOT NULL DEFAULT 'fr' CHECK (lang IN ('fr', 'en'));

-- +goose Down
ALTER TABLE rights_requests DROP COLUMN lang;
ALTER TABLE records DROP COLUMN lang;
