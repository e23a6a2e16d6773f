-- Customers: the type dictionary, profiles with the contact's ID number encrypted at
-- rest, the drug varieties they deal in, the type history, and rep assignments.

CREATE TABLE customer_types (
    id          BIGSERIAL PRIMARY KEY,
    name        TEXT NOT NULL CHECK (length(btrim(name)) > 0),
    sort_order  INTEGER NOT NULL DEFAULT 0,
    is_active   BOOLEAN NOT NULL DEFAULT TRUE,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_by  BIGINT REFERENCES users (id)
);
CREATE UNIQUE INDEX customer_types_name ON customer_types (name);
INSERT INTO customer_types (name, sort_order) VALUES
    ('潜在', 0), ('意向', 1), ('成交', 2), ('重点', 3), ('流失', 4);

CREATE TABLE customers (
    id                BIGSERIAL PRIMARY KEY,
    name              TEXT NOT NULL CHECK (length(btrim(name)) > 0),
    -- Pinyin initials of the name, every reading, joined by '|'.
    pinyin_initials   TEXT NOT NULL DEFAULT '',
    contact_person    TEXT NOT NULL DEFAULT '',
    -- The contact's national ID number: AES-256-GCM (key outside the database), a keyed
    -- hash for exact search, and the masked form for display. Never stored in clear.
    id_number_enc     BYTEA,
    id_number_hash    BYTEA,
    id_number_masked  TEXT NOT NULL DEFAULT '',
    phone             TEXT NOT NULL DEFAULT '',
    fax               TEXT NOT NULL DEFAULT '',
    postcode          TEXT NOT NULL DEFAULT '',
    province_code     TEXT NOT NULL,
    city_code         TEXT NOT NULL DEFAULT '',
    address           TEXT NOT NULL DEFAULT '',
    business_kind     TEXT NOT NULL CHECK (business_kind IN ('hospital', 'clinic', 'pharmacy', 'distributor', 'other')),
    type_id           BIGINT NOT NULL REFERENCES customer_types (id),
    credit_days       INTEGER NOT NULL DEFAULT 0 CHECK (credit_days BETWEEN 0 AND 3650),
    note              TEXT NOT NULL DEFAULT '',
    -- Exactly one responsible sales rep and one CS rep at any moment: one column each,
    -- never NULL.
    sales_rep_id      BIGINT NOT NULL REFERENCES users (id),
    cs_rep_id         BIGINT NOT NULL REFERENCES users (id),
    is_active         BOOLEAN NOT NULL DEFAULT TRUE,
    version           INTEGER NOT NULL DEFAULT 1,
    created_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_by        BIGINT REFERENCES users (id),
    updated_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_by        BIGINT REFERENCES users (id),
    CHECK ((id_number_enc IS NULL) = (id_number_hash IS NULL))
);
CREATE INDEX customers_sales_rep ON customers (sales_rep_id);
CREATE INDEX customers_cs_rep ON customers (cs_rep_id);
CREATE INDEX customers_id_number_hash ON customers (id_number_hash);
CREATE INDEX customers_phone ON customers (phone);
CREATE INDEX customers_region ON customers (province_code, city_code);
CREATE INDEX customers_type ON customers (type_id);

CREATE TABLE customer_drugs (
    customer_id  BIGINT NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    drug_id      BIGINT NOT NULL REFERENCES drugs (id),
    PRIMARY KEY (customer_id, drug_id)
);

CREATE TABLE customer_type_changes (
    id            BIGSERIAL PRIMARY KEY,
    customer_id   BIGINT NOT NULL REFERENCES customers (id),
    from_type_id  BIGINT REFERENCES customer_types (id),
    to_type_id    BIGINT NOT NULL REFERENCES customer_types (id),
    reason        TEXT NOT NULL DEFAULT '',
    changed_by    BIGINT REFERENCES users (id),
    changed_at    TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE INDEX customer_type_changes_customer ON customer_type_changes (customer_id, changed_at);

-- Who was responsible when: reports credit the rep responsible at the time of a sale.
CREATE TABLE customer_assignments (
    id              BIGSERIAL PRIMARY KEY,
    customer_id     BIGINT NOT NULL REFERENCES customers (id),
    role            TEXT NOT NULL CHECK (role IN ('sales', 'cs')),
    user_id         BIGINT NOT NULL REFERENCES users (id),
    effective_from  TIMESTAMPTZ NOT NULL DEFAULT now(),
    effective_to    TIMESTAMPTZ,
    assigned_by     BIGINT REFERENCES users (id),
    CHECK (effective_to IS NULL OR effective_to >= effective_from)
);
-- At most one current assignment per customer and role.
CREATE UNIQUE INDEX customer_assignments_current ON customer_assignments (customer_id, role)
    WHERE effective_to IS NULL;
CREATE INDEX customer_assignments_user ON customer_assignments (user_id, effective_from);
