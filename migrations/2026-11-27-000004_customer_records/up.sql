-- The customer's records: personal records (preferences, family, work, education),
-- follow-ups, and certificates/licences. Deleting one only marks it deleted (audited).

CREATE TABLE customer_profile_records (
    id           BIGSERIAL PRIMARY KEY,
    customer_id  BIGINT NOT NULL REFERENCES customers (id),
    kind         TEXT NOT NULL CHECK (kind IN ('preference', 'family', 'work', 'education')),
    -- preference: topic / family: member / work: organisation / education: school
    title        TEXT NOT NULL CHECK (length(btrim(title)) > 0),
    -- preference & family: description / work: position / education: degree
    detail       TEXT NOT NULL DEFAULT '',
    date_from    DATE,
    date_to      DATE,
    is_deleted   BOOLEAN NOT NULL DEFAULT FALSE,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_by   BIGINT REFERENCES users (id),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_by   BIGINT REFERENCES users (id),
    CHECK (date_to IS NULL OR date_from IS NULL OR date_to >= date_from)
);
CREATE INDEX customer_profile_records_customer ON customer_profile_records (customer_id, kind);

CREATE TABLE customer_followups (
    id           BIGSERIAL PRIMARY KEY,
    customer_id  BIGINT NOT NULL REFERENCES customers (id),
    happened_at  TIMESTAMPTZ NOT NULL,
    method       TEXT NOT NULL CHECK (method IN ('visit', 'phone', 'wechat', 'other')),
    content      TEXT NOT NULL CHECK (length(btrim(content)) > 0),
    result       TEXT NOT NULL DEFAULT '',
    next_on      DATE,
    is_deleted   BOOLEAN NOT NULL DEFAULT FALSE,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_by   BIGINT REFERENCES users (id),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_by   BIGINT REFERENCES users (id)
);
CREATE INDEX customer_followups_customer ON customer_followups (customer_id, happened_at);
CREATE INDEX customer_followups_next ON customer_followups (next_on) WHERE NOT is_deleted;

CREATE TABLE customer_certificates (
    id           BIGSERIAL PRIMARY KEY,
    customer_id  BIGINT NOT NULL REFERENCES customers (id),
    kind         TEXT NOT NULL CHECK (kind IN ('drug_trade', 'business', 'gsp', 'medical_institution', 'other')),
    number       TEXT NOT NULL CHECK (length(btrim(number)) > 0),
    authority    TEXT NOT NULL DEFAULT '',
    issued_on    DATE,
    expires_on   DATE,
    -- An optional scan (PDF or image), at most 10 MB.
    scan         BYTEA CHECK (scan IS NULL OR octet_length(scan) <= 10485760),
    scan_name    TEXT NOT NULL DEFAULT '',
    scan_type    TEXT NOT NULL DEFAULT '',
    is_deleted   BOOLEAN NOT NULL DEFAULT FALSE,
    version      INTEGER NOT NULL DEFAULT 1,
    created_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_by   BIGINT REFERENCES users (id),
    updated_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_by   BIGINT REFERENCES users (id),
    CHECK (expires_on IS NULL OR issued_on IS NULL OR expires_on >= issued_on)
);
CREATE INDEX customer_certificates_customer ON customer_certificates (customer_id);
CREATE INDEX customer_certificates_expiry ON customer_certificates (expires_on) WHERE NOT is_deleted;
