-- Request IDs (AIP-155) of the requests that create a record (CreateOrder, RecordPayment):
-- a caller retrying a request whose answer it never got (a dropped connection, a timeout,
-- a second press) gets the record the first attempt created, not a second one. An ID is
-- the caller's own: two users may choose the same. `fingerprint` is the SHA-256 of the
-- request, so an ID sent again with another request is refused rather than answered with
-- a record it did not ask for. `object_type`/`object_id` name the record, as the audit
-- log does.
CREATE TABLE request_ids (
    user_id bigint NOT NULL REFERENCES users (id),
    request_id text NOT NULL,
    fingerprint bytea NOT NULL,
    object_type text NOT NULL,
    object_id bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, request_id)
);
