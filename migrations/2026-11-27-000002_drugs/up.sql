-- The drug catalogue: category tree, container units, drugs. Money is NUMERIC, never float.

CREATE TABLE drug_categories (
    id          BIGSERIAL PRIMARY KEY,
    parent_id   BIGINT REFERENCES drug_categories (id),
    name        TEXT NOT NULL CHECK (length(btrim(name)) > 0),
    -- Inherited from the top-level class; kept on every node so a drug's origin is one join.
    origin      TEXT NOT NULL CHECK (origin IN ('agency', 'self_produced')),
    sort_order  INTEGER NOT NULL DEFAULT 0,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_by  BIGINT REFERENCES users (id),
    CHECK (parent_id IS DISTINCT FROM id)
);
CREATE UNIQUE INDEX drug_categories_sibling_name ON drug_categories (COALESCE(parent_id, 0), name);
CREATE INDEX drug_categories_parent ON drug_categories (parent_id);

-- The two top-level classes exist from the first start.
INSERT INTO drug_categories (name, origin, sort_order) VALUES
    ('代理类', 'agency', 0),
    ('自产类', 'self_produced', 1);

CREATE TABLE container_units (
    id             BIGSERIAL PRIMARY KEY,
    name           TEXT NOT NULL CHECK (length(btrim(name)) > 0),
    capacity       NUMERIC(12, 3) NOT NULL CHECK (capacity > 0),
    capacity_unit  TEXT NOT NULL CHECK (length(btrim(capacity_unit)) > 0),
    note           TEXT NOT NULL DEFAULT '',
    is_active      BOOLEAN NOT NULL DEFAULT TRUE,
    version        INTEGER NOT NULL DEFAULT 1,
    created_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at     TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_by     BIGINT REFERENCES users (id)
);
CREATE UNIQUE INDEX container_units_identity ON container_units (name, capacity, capacity_unit);

CREATE TABLE drugs (
    id               BIGSERIAL PRIMARY KEY,
    name             TEXT NOT NULL CHECK (length(btrim(name)) > 0),
    trade_name       TEXT NOT NULL DEFAULT '',
    specification    TEXT NOT NULL CHECK (length(btrim(specification)) > 0),
    dosage_form      TEXT NOT NULL DEFAULT '',
    manufacturer     TEXT NOT NULL CHECK (length(btrim(manufacturer)) > 0),
    approval_number  TEXT NOT NULL DEFAULT '',
    category_id      BIGINT NOT NULL REFERENCES drug_categories (id),
    unit_id          BIGINT NOT NULL REFERENCES container_units (id),
    purchase_price   NUMERIC(14, 4) NOT NULL CHECK (purchase_price >= 0),
    sale_price       NUMERIC(14, 4) NOT NULL CHECK (sale_price >= 0),
    -- Pinyin initials of name and trade name, every reading, joined by '|'.
    pinyin_initials  TEXT NOT NULL DEFAULT '',
    note             TEXT NOT NULL DEFAULT '',
    is_active        BOOLEAN NOT NULL DEFAULT TRUE,
    version          INTEGER NOT NULL DEFAULT 1,
    created_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    created_by       BIGINT REFERENCES users (id),
    updated_at       TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_by       BIGINT REFERENCES users (id)
);
CREATE UNIQUE INDEX drugs_identity ON drugs (name, specification, manufacturer);
CREATE INDEX drugs_category ON drugs (category_id);
CREATE INDEX drugs_unit ON drugs (unit_id);
