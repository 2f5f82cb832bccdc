-- +goose Up
-- Staff enrolment by invitation: whoever creates an account never learns its
-- credentials (art. 32: an administrator must not be able to sign in as the
-- DPO). The account has no password and no TOTP secret until its owner
-- follows a signed, single-use, expiring link and sets both. Only the hash
-- of the link's nonce is stored: a copy of the database cannot use it.
ALTER TABLE staff ALTER COLUMN totp_secret DROP NOT NULL;
ALTER TABLE staff ADD COLUMN invite_hash bytea;
ALTER TABLE staff ADD COLUMN invite_expires_at timestamptz;
ALTER TABLE staff ADD CONSTRAINT staff_enrolled_or_invited
    CHECK ((password_hash <> '' AND totp_secret IS NOT NULL) OR invite_hash IS NOT NULL OR NOT active);

-- Failed sign-ins are throttled per (account, client address) with a
-- growing delay, instead of locking the account: a lock anyone who knows a
-- staff email could trigger would keep its owner out.
ALTER TABLE staff DROP COLUMN failed_logins;
ALTER TABLE staff DROP COLUMN locked_until;
CREATE TABLE login_throttle (
    staff_id       uuid NOT NULL REFERENCES staff (id) ON DELETE CASCADE,
    ip             text NOT NULL,
    failures       int NOT NULL,
    last_failed_at timestamptz NOT NULL,
    PRIMARY KEY (staff_id, ip)
);
CREATE INDEX login_throttle_last ON login_throttle (staff_id, last_failed_at);
GRANT SELECT, INSERT, UPDATE, DELETE ON login_throttle TO portal_app;

-- +goose Down
DROP TABLE login_throttle;
ALTER TABLE staff ADD COLUMN failed_logins int NOT NULL DEFAULT 0;
ALTER TABLE staff ADD COLUMN locked_until timestamptz;
ALTER TABLE staff DROP CONSTRAINT staff_enrolled_or_invited;
ALTER TABLE staff DROP COLUMN invite_expires_at;
ALTER TABLE staff DROP COLUMN invite_hash;
ALTER TABLE staff ALTER COLUMN totp_secret SET NOT NULL;
