-- +goose Up
-- Reserved: migration 16 belongs to another branch being merged alongside
-- this one (migrations form one sequence with no gap). Delete this file when
-- that branch's 00016 lands.
SELECT 1;

-- +goose Down
SELECT 1;
