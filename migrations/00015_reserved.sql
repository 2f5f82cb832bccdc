-- +goose Up
-- Reserved: migration 15 belongs to another branch being merged alongside
-- this one (migrations form one sequence with no gap). Delete this file when
-- that branch's 00015 lands.
SELECT 1;

-- +goose Down
SELECT 1;
