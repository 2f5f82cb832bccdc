-- +goose Up
-- Number 7 belongs to the public side's migration, written on another branch.
-- This empty file keeps the sequence whole until that branch is merged:
-- delete it then (goose records version 7 either way).
SELECT 1;

-- +goose Down
SELECT 1;
