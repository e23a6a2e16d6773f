-- A reconciled period confirmed by mistake (the wrong end date, a payment booked to the
-- wrong customer found afterwards) is reopened by finance, with the reason: the latest
-- standing one only, so the periods still follow each other. A reopened period no longer
-- locks its days; its row stays, with who reopened it, when and why.
ALTER TABLE reconciliations
    ADD COLUMN reopened_at   TIMESTAMPTZ,
    ADD COLUMN reopened_by   BIGINT REFERENCES users (id) ON DELETE RESTRICT,
    ADD COLUMN reopen_reason TEXT NOT NULL DEFAULT '';
