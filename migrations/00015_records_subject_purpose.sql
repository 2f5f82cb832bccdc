-- +goose Up
-- A person's records are found by subject (rights requests, erasure,
-- objection) under row-level security, whose purpose condition
-- (purpose = ANY (portal_purposes())) the planner cannot estimate: it used to
-- AND a bitmap of every record of the scope's purposes with the subject's few.
-- With the purpose in the subject's index, both are checked in one index scan.
CREATE INDEX records_subject_purpose ON records (subject_id, purpose);
DROP INDEX records_subject;

-- +goose Down
CREATE INDEX records_subject ON records (subject_id);
DROP INDEX records_subject_purpose;
