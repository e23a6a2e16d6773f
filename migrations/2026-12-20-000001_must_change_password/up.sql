-- A password an administrator set (a new user's, a reset) must be changed by its user at
-- the next login before anything else: until then the server answers only ChangePassword,
-- Logout and Me. The users there before keep theirs.
ALTER TABLE users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;
