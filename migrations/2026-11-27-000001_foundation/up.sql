-- Foundation: organisation, permissions, sessions, login throttling, audit log.
-- Every editable table has `version` (optimistic locking) and updated_at/updated_by.

CREATE TABLE departments (
    id          BIGSERIAL PRIMARY KEY,
    parent_id   BIGINT REFERENCES departments (id),
    name        TEXT NOT NULL CHECK (length(btrim(name)) > 0),
    is_active   BOOLEAN NOT NULL DEFAULT TRUE,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_by  BIGINT,
    CHECK (parent_id IS DISTINCT FROM id)
);
-- Sibling names are unique among active departments.
CREATE UNIQUE INDEX departments_sibling_name ON departments (COALESCE(parent_id, 0), name) WHERE is_active;
CREATE INDEX departments_parent ON departments (parent_id);

CREATE TABLE positions (
    id           BIGSERIAL PRIMARY KEY,
    name         TEXT NOT NULL CHECK (length(btrim(name)) > 0),
    description  TEXT NOT NULL DEFAULT '',
    data_scope   TEXT NOT NULL CHECK (data_scope IN ('own', 'department', 'all')),
    is_builtin   BOOLEAN NOT NULL DEFAULT FALSE,
    is_active    BOOLEAN NOT NULL DEFAULT TRUE,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_by   BIGINT
);
CREATE UNIQUE INDEX positions_name ON positions (name) WHERE is_active;

CREATE TABLE position_permissions (
    position_id  BIGINT NOT NULL REFERENCES positions (id) ON DELETE CASCADE,
    permission   TEXT NOT NULL,
    PRIMARY KEY (position_id, permission)
);

CREATE TABLE users (
    id                  BIGSERIAL PRIMARY KEY,
    username            TEXT NOT NULL CHECK (username = lower(username)),
    display_name        TEXT NOT NULL CHECK (length(btrim(display_name)) > 0),
    department_id       BIGINT REFERENCES departments (id),
    phone               TEXT NOT NULL DEFAULT '',
    -- Argon2id PHC string; NULL for service accounts, which use API tokens.
    password_hash       TEXT,
    is_service_account  BOOLEAN NOT NULL DEFAULT FALSE,
    is_active           BOOLEAN NOT NULL DEFAULT TRUE,
    version             INTEGER NOT NULL DEFAULT 1,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_by          BIGINT REFERENCES users (id),
    CHECK (is_service_account OR password_hash IS NOT NULL)
);
CREATE UNIQUE INDEX users_username ON users (username);
CREATE INDEX users_department ON users (department_id);

ALTER TABLE departments ADD FOREIGN KEY (updated_by) REFERENCES users (id);
ALTER TABLE positions ADD FOREIGN KEY (updated_by) REFERENCES users (id);

CREATE TABLE user_positions (
    user_id      BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    position_id  BIGINT NOT NULL REFERENCES positions (id),
    PRIMARY KEY (user_id, position_id)
);
CREATE INDEX user_positions_position ON user_positions (position_id);

-- Failed-login counting per attempted username (existing or not, so the answer never
-- tells whether a user exists).
CREATE TABLE login_throttle (
    username        TEXT PRIMARY KEY,
    failed_count    INTEGER NOT NULL DEFAULT 0,
    locked_until    TIMESTAMPTZ,
    last_failed_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Login sessions and API tokens. Only a SHA-256 of the token is stored, so every server
-- replica sharing this database accepts the same token and a database dump reveals none.
CREATE TABLE sessions (
    id                   BIGSERIAL PRIMARY KEY,
    token_hash           BYTEA NOT NULL UNIQUE,
    user_id              BIGINT NOT NULL REFERENCES users (id),
    kind                 TEXT NOT NULL CHECK (kind IN ('login', 'api')),
    label                TEXT NOT NULL DEFAULT '',
    peer                 TEXT NOT NULL DEFAULT '',
    created_at           TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen_at         TIMESTAMPTZ,
    -- NULL for API tokens, which live until revoked.
    absolute_expires_at  TIMESTAMPTZ,
    revoked_at           TIMESTAMPTZ,
    CHECK (kind = 'api' OR absolute_expires_at IS NOT NULL)
);
CREATE INDEX sessions_user ON sessions (user_id) WHERE revoked_at IS NULL;

-- The append-only audit log. Each row's `hash` is an HMAC-SHA256 (key outside the
-- database) over its content and the previous row's hash: editing or deleting a row
-- breaks the chain, which `pharmacrm-server verify-audit` detects.
CREATE TABLE audit_log (
    id           BIGSERIAL PRIMARY KEY,
    at           TIMESTAMPTZ NOT NULL,
    user_id      BIGINT REFERENCES users (id),
    username     TEXT NOT NULL DEFAULT '',
    peer         TEXT NOT NULL DEFAULT '',
    action       TEXT NOT NULL,
    object_type  TEXT NOT NULL,
    object_id    TEXT NOT NULL DEFAULT '',
    before       JSONB,
    after        JSONB,
    prev_hash    BYTEA NOT NULL,
    hash         BYTEA NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_user ON audit_log (user_id, at);
CREATE INDEX audit_log_object ON audit_log (object_type, object_id);
CREATE INDEX audit_log_action ON audit_log (action, at);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_is_append_only();
