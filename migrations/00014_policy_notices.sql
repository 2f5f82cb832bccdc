-- +goose Up
-- Who was told of which material change of the privacy policy (art. 12(1),
-- 13(3)): one row per person and version, written in the transaction that
-- queues the email, so a run that stops resumes where it stopped and nobody
-- is told twice. Erasing the person erases the row.
CREATE TABLE policy_notices (
    version    text NOT NULL,
    subject_id uuid NOT NULL REFERENCES subjects (id) ON DELETE CASCADE,
    channel    text NOT NULL CHECK (channel IN ('email', 'none')), -- none: no email address on file
    created_at timestamptz NOT NULL,
    PRIMARY KEY (version, subject_id)
);
CREATE INDEX policy_notices_subject ON policy_notices (subject_id);
GRANT SELECT, INSERT ON policy_notices TO portal_app;

-- +goose Down
DROP TABLE policy_notices;
